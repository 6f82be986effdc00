import Synchronization

/// A list that tasks and loop threads append to and tests read, from any thread.
public final class LockedList<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    public init() {}

    public func append(_ element: Element) { storage.withLock { $0.append(element) } }
    public var all: [Element] { storage.withLock { $0 } }
    public var count: Int { storage.withLock { $0.count } }
}

/// The page's files could not be loaded: a packaging mistake, reported once at start.
public struct PageAssetsError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Waits for the parts of a graceful shutdown (the server's connections, the requests in flight, a
/// subscriber...) and then runs every completion that asked for it, once.
///
/// A service's `shutdown(completion:)` may be called more than once (a signal, a test, an owner being
/// torn down); each caller must hear back exactly once, whether it came before the parts finished or
/// after. A class, not a struct: a completion may call back into its owner's `shutdown`, which must not
/// run inside a mutation of the owner's stored barrier. Loop-confined, like its owners.
public final class ShutdownBarrier {
    /// Parts not yet done.
    public private(set) var remaining: Int
    private var completions: [() -> Void] = []

    /// A barrier that opens after `parts` calls of ``partDone()``; with 0 it is open from the start.
    public init(parts: Int) {
        precondition(parts >= 0, "a shutdown has at least zero parts")
        remaining = parts
    }

    /// True once every part is done and the completions have run.
    public var isFinished: Bool { remaining == 0 }

    /// Runs `completion` once every part is done: at once when they already are.
    public func whenDone(_ completion: @escaping () -> Void) {
        guard !isFinished else { return completion() }
        completions.append(completion)
    }

    /// One part finished. The last one runs the completions in the order they came; a completion that
    /// arrives while they run (from inside one of them) runs at once.
    public func partDone() {
        precondition(remaining > 0, "more parts reported done than the shutdown has")
        remaining -= 1
        guard remaining == 0 else { return }
        let waiting = completions
        completions = []
        for completion in waiting { completion() }
    }
}

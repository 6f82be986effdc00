import HashrCore

/// Runs one asynchronous operation of the core (an HTTP request, a TCP exchange) to its end on an
/// event loop of its own, which the calling thread runs: the blocking facades the synchronous
/// routers use. Nothing is shared between calls, so several threads may do this at once.
enum PrivateLoop {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Calls `start` on the new loop; it must call its `complete` exactly once, and close everything
    /// it opened by then. Returns when the loop has closed with every handle closed.
    static func run<Value>(_ start: (EventLoop, _ complete: @escaping (Value) -> Void) -> Void) throws(Failure) -> Value {
        let loop: EventLoop
        do {
            loop = try EventLoop(logSink: nil)
        } catch {
            throw Failure(description: "cannot start an event loop: \(error)")
        }
        var outcome: Value?
        start(loop) { value in
            guard outcome == nil else { return }
            outcome = value
            loop.stop()
        }
        let unclosed = loop.run()
        // A handle left open would be a bug of the core; its memory would leak with the loop.
        assert(unclosed == 0, "a private event loop closed with handles still open")
        guard let outcome else { throw Failure(description: "the event loop ended without an answer") }
        return outcome
    }
}

import Synchronization

/// An event loop running on a thread of its own, for tests and for embedding a service in another
/// process. `submit` runs a closure on the loop and hands its result back to async code.
public final class EventLoopThread: Sendable {
    public let loop: EventLoop
    private let finished = Finished()

    /// - Parameter logSink: the loop's log sink (see `EventLoop.init`); none by default, as tests want.
    public init(name: String = "event-loop", logSink: LogSink? = nil) throws {
        loop = try EventLoop(logSink: logSink)
        let loop = self.loop
        NativeThread.start(name: name) { [finished] in
            let result = loop.run()
            let waiter = finished.state.withLock { state -> CheckedContinuation<Int32, Never>? in
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: result)
        }
    }

    /// Runs `body` on the loop thread and returns what it returns (or throws what it throws).
    public func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = loop.execute {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            if !accepted { continuation.resume(throwing: EventLoopStopped()) }
        }
    }

    /// Runs `body` on the loop thread; it calls `complete` (on the loop, now or later) with the result.
    public func submitAsync<T: Sendable>(_ body: @escaping @Sendable (_ complete: @escaping (T) -> Void) -> Void) async -> T {
        await withCheckedContinuation { continuation in
            let accepted = loop.execute {
                var resumed = false
                body { value in
                    guard !resumed else { return }
                    resumed = true
                    continuation.resume(returning: value)
                }
            }
            // Waiting on a loop that will never run the body would hang the test instead.
            precondition(accepted, "submitAsync on a stopped event loop")
        }
    }

    /// Runs `beforeStop` on the loop (close your handles there), stops the loop and waits until the
    /// thread has finished. Returns `uv_loop_close`'s result: 0 means every handle was closed.
    public func shutdown(_ beforeStop: @escaping @Sendable () -> Void = {}) async -> Int32 {
        loop.execute { [loop] in
            beforeStop()
            loop.stop()
        }
        return await withCheckedContinuation { continuation in
            let done = finished.state.withLock { state -> Int32? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}

/// The loop has stopped: nothing more runs on it.
public struct EventLoopStopped: Error, CustomStringConvertible {
    public var description: String { "the event loop has stopped" }
}

/// How the loop thread ended, and who waits for it.
private final class Finished: Sendable {
    let state = Mutex<(result: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))
}

/// A value confined to an event loop that may be carried across threads and only used on it.
public struct LoopBound<Value>: @unchecked Sendable {
    public let loop: EventLoop
    private let stored: Value

    public init(_ value: Value, loop: EventLoop) {
        loop.assertInEventLoop()
        self.loop = loop
        self.stored = value
    }

    public var value: Value {
        loop.assertInEventLoop()
        return stored
    }
}

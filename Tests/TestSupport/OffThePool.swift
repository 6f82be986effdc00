import HashrCore

/// Runs blocking work (starting a server and polling until it accepts, waiting for a process) on a
/// thread of its own and awaits the result. On Swift's cooperative pool, which has one thread per
/// core (two here), such a call holds up every other test of a parallel `swift test` run: their
/// timers and continuations wait, and timing tests fail for no fault of their own.
public enum OffThePool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            NativeThread.start(name: "test-blocking") { continuation.resume(with: Result { try body() }) }
        }
    }
}

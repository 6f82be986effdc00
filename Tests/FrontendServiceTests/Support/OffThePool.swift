import Foundation

/// Runs blocking work (starting a redis-server and polling until it accepts, waiting for a process)
/// on a thread of its own and awaits the result. On the cooperative pool, two such calls on this
/// two-core machine would hold up every other test of the run until they return.
enum OffThePool {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.start()
        }
    }
}

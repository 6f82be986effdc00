import HashrTestSupport

@testable import WatcherService

/// The message of the `RouterError` that `body` threw, or nil when it succeeded. For calls that do
/// not block (editors, parsers); a router call goes through `routerError`.
func routerErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? RouterError)?.message ?? "not a RouterError: \(error)"
    }
}

/// Runs a blocking router call off the cooperative pool; the `RouterError` it threw, or nil when
/// it succeeded (any other error fails the test).
func routerError(_ body: @escaping @Sendable () throws -> Void) async throws -> RouterError? {
    try await OffThePool.run { () throws -> RouterError? in
        do {
            try body()
            return nil
        } catch let error as RouterError {
            return error
        }
    }
}

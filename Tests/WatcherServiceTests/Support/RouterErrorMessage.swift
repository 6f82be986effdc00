@testable import WatcherService

/// The message of the `RouterError` that `body` threw, or nil when it succeeded.
func routerErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? RouterError)?.message ?? "not a RouterError: \(error)"
    }
}

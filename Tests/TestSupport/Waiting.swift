/// Polls `condition` every 10 ms until it holds; throws `WaitTimeout` naming `what` after `timeout`.
/// Tests wait for states this way instead of sleeping a guessed time, and stop at a wait that never
/// ends (what follows it would only fail for the same reason).
///
/// The condition is checked once more at the deadline: on a busy machine the polling task may not
/// run again until after it, and a state that came in time should not fail the test.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if try await condition() { return }
    throw WaitTimeout(what: what, timeout: timeout)
}

public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for: \(what)" }
}

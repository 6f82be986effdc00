import Foundation

/// Polls `condition` every 20 ms until it holds; fails with `what` after `timeout`. Tests wait for
/// states this way instead of sleeping a guessed time.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw WaitTimeout(what: what, timeout: timeout)
}

public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for: \(what)" }
}

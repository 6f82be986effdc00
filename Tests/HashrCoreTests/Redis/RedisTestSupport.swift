import Logging
import Testing

@testable import HashrCore
import HashrTestSupport

/// A logger that prints nothing, so expected failures do not clutter test output.
let quietLogger = Logger(label: "redis-test") { _ in SwiftLogNoOpLogHandler() }


extension EventLoopThread {
    /// A connecting client whose state changes are recorded in `states`.
    func makeClient(
        _ configuration: RedisConfiguration, logger: Logger = quietLogger,
        states: Shared<[RedisConnectionState]>? = nil
    ) async throws -> LoopBound<RedisClient> {
        try await submit { [loop] in
            let client = RedisClient(loop: loop, configuration: configuration, logger: logger)
            client.onStateChange = { state in states?.update { $0.append(state) } }
            client.connect()
            return LoopBound(client, loop: loop)
        }
    }

    /// A connecting subscriber that appends every message to `messages`.
    func makeSubscriber(
        _ configuration: RedisConfiguration, channels: [String], messages: Shared<[RedisSubscriber.Message]>,
        logger: Logger = quietLogger
    ) async throws -> LoopBound<RedisSubscriber> {
        try await submit { [loop] in
            let subscriber = RedisSubscriber(
                loop: loop, configuration: configuration, channels: channels, logger: logger
            ) {
                message in messages.update { $0.append(message) }
            }
            subscriber.connect()
            return LoopBound(subscriber, loop: loop)
        }
    }

    func send(_ client: LoopBound<RedisClient>, _ arguments: [String]) async -> Result<RedisReply, RedisError> {
        await submitAsync { complete in client.value.send(arguments) { complete($0) } }
    }

    func state(_ client: LoopBound<RedisClient>) async throws -> RedisConnectionState {
        try await submit { client.value.state }
    }

    func state(_ subscriber: LoopBound<RedisSubscriber>) async throws -> RedisConnectionState {
        try await submit { subscriber.value.state }
    }

    /// Waits until `client` is connected; throws after `timeout`.
    func connected(_ client: LoopBound<RedisClient>, within timeout: Duration = .seconds(5)) async throws {
        try await waitUntil("the client to connect", timeout: timeout) { try await state(client) == .connected }
    }

    func connected(_ subscriber: LoopBound<RedisSubscriber>, within timeout: Duration = .seconds(5)) async throws {
        try await waitUntil("the subscriber to connect", timeout: timeout) { try await state(subscriber) == .connected }
    }
}

extension Result where Failure == RedisError {
    var redisError: RedisError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

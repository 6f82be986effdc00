import Logging

/// A Redis client on the event loop: commands with completions, pipelined on one connection that
/// keeps itself up (reconnecting with backoff, AUTH and SELECT on every connect).
///
/// Loop-confined: create, use and close it on the loop thread. Set `onStateChange`, then
/// `connect()`. Every completion runs exactly once,
/// on the loop: with the reply, or with a `RedisError`. While not connected, commands fail at once
/// with `.notConnected` (their completion runs before the call returns), so a caller can answer
/// "unavailable" without waiting; commands pending when the connection drops fail as soon as the
/// drop is seen. Call `close()` when done: it fails what is pending and closes every handle.
public final class RedisClient {
    private let connection: RedisConnection
    /// PUBLISH commands are laid out here, reused from one to the next (see `RedisCommandEncoder`).
    private var commandBuffer: [UInt8] = []
    /// The last channel published to and its command up to the message.
    private var publishHead: (channel: String, bytes: [UInt8]) = ("", [])

    /// A client that stays `.disconnected` until `connect()`.
    public init(loop: EventLoop, configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        connection = RedisConnection(loop: loop, configuration: configuration, logger: logger)
    }

    /// A client for `url` with the default timeouts and backoff.
    public convenience init(loop: EventLoop, url: RedisURL, logger: Logger = Logger(label: "redis")) {
        self.init(loop: loop, configuration: RedisConfiguration(url: url), logger: logger)
    }

    /// Starts the first connection attempt; from then on the client reconnects by itself until
    /// `close()`. Idempotent.
    public func connect() {
        connection.start()
    }

    public var configuration: RedisConfiguration { connection.configuration }
    public var state: RedisConnectionState { connection.state }
    /// True when commands are being sent; false while connecting, disconnected or closed.
    public var isConnected: Bool { connection.state == .connected }
    /// Why the last attempt failed or the last connection ended; nil while connected.
    public var lastError: RedisError? { connection.lastError }
    /// Commands sent and waiting for their replies.
    public var pendingCommands: Int { connection.pendingCommands }

    /// Called on the loop with each new state (for readiness and metrics).
    public var onStateChange: ((RedisConnectionState) -> Void)? {
        get { connection.onStateChange }
        set { connection.onStateChange = newValue }
    }

    /// Sends a command given as binary-safe arguments, e.g. `[Array("SET".utf8), key, value]`.
    /// An error reply from Redis fails the command with `.errorReply`.
    public func send(_ arguments: [[UInt8]], completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        connection.send(arguments, completion: completion)
    }

    /// Sends a command given as strings (sent as their UTF-8 bytes), e.g. `["INCR", "counter"]`.
    public func send(_ arguments: [String], completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        connection.send(arguments.map(\.utf8), completion: completion)
    }

    /// PUBLISHes `message` on `channel`; succeeds with the number of subscribers that received it.
    public func publish(channel: String, message: [UInt8], completion: @escaping (Result<Int, RedisError>) -> Void) {
        // Taken out while in use: a completion that fails at once may publish again from inside.
        var command: [UInt8] = []
        swap(&command, &commandBuffer)
        command.removeAll(keepingCapacity: true)
        if publishHead.bytes.isEmpty || publishHead.channel != channel {
            publishHead = (channel, RedisCommandEncoder.publishHead(channel: channel))
        }
        command.append(contentsOf: publishHead.bytes)
        RedisCommandEncoder.appendArgument(message, to: &command)
        command.withUnsafeBytes { bytes in
            connection.send(formatted: bytes, handler: .count(completion))
        }
        commandBuffer = command
    }

    /// PUBLISHes the UTF-8 bytes of `message` on `channel`; succeeds with the number of receivers.
    public func publish(channel: String, message: String, completion: @escaping (Result<Int, RedisError>) -> Void) {
        let handler = RedisReplyHandler.count(completion)
        connection.send(["PUBLISH".utf8, channel.utf8, message.utf8]) { handler($0) }
    }

    /// Fails pending commands with `.clientClosed`, closes the connection and its handles, and stops
    /// reconnecting. Later commands fail with `.clientClosed`. Idempotent.
    public func close() {
        connection.close()
    }
}

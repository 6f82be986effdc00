import Logging

/// Receives messages published on a fixed set of channels, over a connection of its own (Redis
/// allows nothing but (un)subscribing on a subscribed connection).
///
/// After every (re)connect it logs in and SUBSCRIBEs again; it reports `.connected` only once Redis
/// has confirmed every channel, so "connected" means "receiving". Messages published while it is
/// disconnected are lost (that is Redis pub/sub). Loop-confined: set `onStateChange`, `connect()`,
/// and `close()` when done.
public final class RedisSubscriber {
    /// One published message.
    public struct Message: Sendable, Equatable {
        public let channel: String
        public let payload: [UInt8]

        public init(channel: String, payload: [UInt8]) {
            self.channel = channel
            self.payload = payload
        }

        /// The payload decoded as UTF-8 (invalid bytes replaced).
        public var text: String { String(decoding: payload, as: UTF8.self) }
    }

    /// The channels subscribed to on every connection.
    public let channels: [String]
    private let connection: RedisConnection
    private var onMessage: ((Message) -> Void)?
    /// Channels whose SUBSCRIBE Redis has not confirmed yet on the current connection.
    private var unconfirmed: Set<String> = []
    private var ready: ((RedisError?) -> Void)?

    /// A subscriber that does nothing until `connect()`; `onMessage` then runs on the loop for each
    /// message, in order.
    public init(
        loop: EventLoop, configuration: RedisConfiguration, channels: [String], logger: Logger = Logger(label: "redis"),
        onMessage: @escaping (Message) -> Void
    ) {
        self.channels = channels
        self.onMessage = onMessage
        var logger = logger
        logger[metadataKey: "redis_channels"] = "\(channels.joined(separator: ","))"
        connection = RedisConnection(loop: loop, configuration: configuration, logger: logger)
        connection.prepare = { [weak self] socket, ready in
            guard let self else { return ready(.clientClosed) }
            self.subscribe(on: socket, ready: ready)
        }
    }

    /// Starts the first connection attempt; from then on it reconnects and resubscribes by itself
    /// until `close()`. Idempotent.
    public func connect() {
        connection.start()
    }

    public var state: RedisConnectionState { connection.state }
    /// True when subscribed to every channel.
    public var isConnected: Bool { connection.state == .connected }
    /// Why the last attempt failed or the last connection ended; nil while connected.
    public var lastError: RedisError? { connection.lastError }

    /// Called on the loop with each new state (for readiness and metrics).
    public var onStateChange: ((RedisConnectionState) -> Void)? {
        get { connection.onStateChange }
        set { connection.onStateChange = newValue }
    }

    /// Unsubscribes by closing the connection; no message is delivered after this. Idempotent.
    public func close() {
        onMessage = nil
        ready = nil
        connection.close()
    }

    private func subscribe(on socket: RedisSocket, ready: @escaping (RedisError?) -> Void) {
        guard !channels.isEmpty else { return ready(nil) }
        unconfirmed = Set(channels)
        self.ready = ready
        socket.onPush = { [weak self] reply in self?.received(reply) }
        if !socket.subscribe(channels) {
            self.ready = nil
            ready(.notConnected)
        }
    }

    private func received(_ reply: RedisReply) {
        // Pushes are arrays: ["subscribe", channel, count] or ["message", channel, payload].
        guard case .array(let parts) = reply, parts.count == 3, let kind = parts[0].stringValue,
            let channel = parts[1].stringValue
        else { return }
        switch kind.lowercased() {
        case "message":
            guard case .bulk(let payload) = parts[2] else { return }
            onMessage?(Message(channel: channel, payload: payload))
        case "subscribe":
            unconfirmed.remove(channel)
            if unconfirmed.isEmpty, let ready {
                self.ready = nil
                ready(nil)
            }
        default:
            break
        }
    }
}

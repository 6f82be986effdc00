/// How to reach Redis and how patiently. Shared by `RedisClient` and `RedisSubscriber`.
public struct RedisConfiguration: Sendable, Equatable {
    public var url: RedisURL
    /// How long one attempt may take, from resolving the host through AUTH, SELECT (and SUBSCRIBE),
    /// before it is abandoned and retried. Default 5 s.
    public var connectTimeout: Duration
    /// How long commands may wait without any reply before the connection is judged dead, dropped
    /// (failing them) and made anew. Catches a Redis that hangs without closing the socket. Default 5 s.
    public var commandTimeout: Duration
    /// Commands waiting for replies on one connection beyond which new ones fail at once, so a stalled
    /// Redis cannot grow the output buffer without bound. Default 100,000.
    public var maximumPendingCommands: Int
    /// Delays between reconnect attempts.
    public var reconnect: ReconnectBackoff.Configuration

    public init(
        url: RedisURL, connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(5),
        maximumPendingCommands: Int = 100_000, reconnect: ReconnectBackoff.Configuration = .init()
    ) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.maximumPendingCommands = maximumPendingCommands
        self.reconnect = reconnect
    }
}

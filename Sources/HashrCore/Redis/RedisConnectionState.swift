/// Where a Redis client or subscriber stands, for readiness checks and metrics.
public enum RedisConnectionState: String, Sendable, Equatable, CustomStringConvertible {
    /// Resolving, connecting, or logging in (AUTH/SELECT, and SUBSCRIBE for a subscriber).
    case connecting
    /// Ready: commands are sent at once; a subscriber receives messages.
    case connected
    /// Not connected: before `connect()`, or waiting to retry after a failed attempt or a dropped
    /// connection. Commands fail at once.
    case disconnected
    /// `close()` was called; nothing will happen any more.
    case closed

    public var description: String { rawValue }
}

/// Why a Redis command or connection attempt failed.
///
/// Messages come from Redis or the socket layer; none of them ever contains the password.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command was not sent: there is no ready connection right now (Redis down, connecting, or
    /// reconnecting). Fails at once so callers can answer "unavailable" without waiting.
    case notConnected
    /// The connection dropped while the command was waiting for its reply; it may or may not have run.
    case connectionLost(String)
    /// `close()` was called while the command was pending, or before it was issued.
    case clientClosed
    /// Redis answered the command with an error reply, e.g. `WRONGTYPE ...`.
    case errorReply(String)
    /// The host name could not be resolved.
    case resolveFailed(String)
    /// The TCP connection could not be established (refused, unreachable, ...).
    case connectFailed(String)
    /// Redis refused AUTH, SELECT or the PING after them (wrong or missing password, no such database).
    case handshakeFailed(String)
    /// Redis did not answer within the configured time; the connection is dropped and made anew.
    case timedOut(String)
    /// Redis answered with a reply of a type the command never returns.
    case unexpectedReply(String)
    /// Too many commands are already waiting on this connection; see
    /// `RedisConfiguration.maximumPendingCommands`.
    case tooManyPendingCommands(Int)

    public var description: String {
        switch self {
        case .notConnected: "Redis is not connected"
        case .connectionLost(let reason): "connection to Redis lost: \(reason)"
        case .clientClosed: "Redis client closed"
        case .errorReply(let message): "Redis error: \(message)"
        case .resolveFailed(let reason): "cannot resolve Redis host: \(reason)"
        case .connectFailed(let reason): "cannot connect to Redis: \(reason)"
        case .handshakeFailed(let message): "Redis rejected the connection handshake (AUTH, SELECT, PING): \(message)"
        case .timedOut(let reason): "Redis timed out: \(reason)"
        case .unexpectedReply(let reply): "unexpected reply from Redis: \(reply)"
        case .tooManyPendingCommands(let limit): "more than \(limit) Redis commands pending"
        }
    }
}

/// Why a request got no response, each case saying what failed.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name did not resolve.
    case resolveFailed(host: String, reason: String)
    /// Nobody listens there.
    case connectionRefused(address: String)
    /// Connecting failed for another reason.
    case connectFailed(address: String, reason: String)
    /// No complete response within the request's timeout.
    case timeout(after: Duration)
    /// The connection was reset or closed before the response was complete.
    case connectionReset(reason: String)
    /// The peer sent something that is not a valid HTTP response.
    case badResponse(String)
    /// The response's body exceeds the client's limit.
    case responseTooLarge(limit: Int)
    /// The server's certificate is not signed by a trusted CA (or is expired, or not for a server).
    case certificateUntrusted(reason: String)
    /// The server's certificate is valid but names another host.
    case hostNameMismatch(host: String)
    /// TLS failed otherwise: the handshake (a plain-HTTP server, no common protocol version) or a
    /// broken record later.
    case tlsFailed(reason: String)
    /// Too many requests are already waiting for a connection to this host.
    case queueFull(limit: Int)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .resolveFailed(let host, let reason): "cannot resolve \(host): \(reason)"
        case .connectionRefused(let address): "connection refused by \(address)"
        case .connectFailed(let address, let reason): "cannot connect to \(address): \(reason)"
        case .timeout(let after): "no response within \(after.shortText)"
        case .connectionReset(let reason): "connection reset: \(reason)"
        case .badResponse(let reason): "bad response: \(reason)"
        case .responseTooLarge(let limit): "the response exceeded \(limit) bytes"
        case .certificateUntrusted(let reason): "TLS certificate untrusted: \(reason)"
        case .hostNameMismatch(let host): "TLS certificate does not name \(host)"
        case .tlsFailed(let reason): "TLS handshake failed: \(reason)"
        case .queueFull(let limit): "more than \(limit) requests waiting for a connection"
        case .closed: "client closed"
        }
    }

    /// What failed, without the details.
    public var kind: Kind {
        switch self {
        case .resolveFailed: .resolve
        case .connectionRefused: .refused
        case .connectFailed: .connect
        case .timeout: .timeout
        case .connectionReset: .reset
        case .badResponse, .responseTooLarge: .badResponse
        case .certificateUntrusted: .tlsUntrusted
        case .hostNameMismatch: .tlsHostMismatch
        case .tlsFailed: .tlsHandshake
        case .queueFull: .queueFull
        case .closed: .closed
        }
    }
}

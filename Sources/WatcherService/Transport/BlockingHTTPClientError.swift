import HashrCore

/// Why a request got no HTTP answer at all. (An answer with any status is not an error here.)
public struct BlockingHTTPClientError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Refused, unreachable, or the name did not resolve.
        case connectionFailed = "connection failed"
        /// TLS failed: the server's certificate is not signed by the given CA or does not name the
        /// host, or the handshake failed (e.g. the server does not speak TLS).
        case tlsFailed = "TLS failure"
        /// No complete answer within the timeout.
        case timedOut = "timed out"
        /// The answer was larger than the client accepts.
        case responseTooLarge = "response too large"
        /// Anything else (reset connection, malformed answer, bad URL, ...).
        case other = "request failed"
    }

    public let kind: Kind
    /// What failed, e.g. `connection refused by 127.0.0.1:1`.
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The core client's error, sorted into the kinds the routers tell apart.
    init(_ error: HTTPClientError) {
        switch error {
        case .resolveFailed, .connectionRefused, .connectFailed:
            self.init(kind: .connectionFailed, message: error.description)
        case .timeout:
            self.init(kind: .timedOut, message: error.description)
        case .certificateUntrusted, .hostNameMismatch, .tlsFailed:
            self.init(kind: .tlsFailed, message: error.description)
        case .responseTooLarge(let limit):
            self.init(kind: .responseTooLarge, message: "the answer exceeded \(limit) bytes")
        case .connectionReset, .badResponse, .queueFull, .closed:
            self.init(kind: .other, message: error.description)
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

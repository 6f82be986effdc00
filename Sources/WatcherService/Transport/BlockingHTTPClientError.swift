/// Why a request got no HTTP answer at all. (An answer with any status is not an error here.)
public struct BlockingHTTPClientError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// Refused, unreachable, or the name did not resolve.
        case connectionFailed = "connection failed"
        /// The TLS handshake failed, e.g. the server's certificate is not signed by the given CA.
        case tlsFailed = "TLS failure"
        /// No complete answer within the timeout.
        case timedOut = "timed out"
        /// The answer was larger than the client accepts.
        case responseTooLarge = "response too large"
        /// Anything else libcurl reports (reset connection, bad URL, ...).
        case other = "request failed"
    }

    public let kind: Kind
    /// libcurl's explanation, e.g. `Failed to connect to 127.0.0.1 port 1: Connection refused`.
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

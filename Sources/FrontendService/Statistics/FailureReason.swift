import HashrCore

/// Why a generated request failed; a small fixed set, so it can label metrics and JSON keys.
public enum FailureReason: String, CaseIterable, Codable, Sendable {
    /// No connection: the name did not resolve, the port refused, or connecting failed otherwise.
    case connect
    /// No complete answer within `REQUEST_TIMEOUT`.
    case timeout
    /// The connection closed or reset before the answer was complete.
    case reset
    /// The answer was not valid HTTP.
    case badResponse = "bad_response"
    /// The processor answered 500-599 (the worker's 503 when Redis is down lands here).
    case status5xx = "status_5xx"
    /// Any other non-2xx answer (400, 404, 413, ...).
    case statusOther = "status_other"
    /// Refused inside the frontend: the client's queue was full or the client was closing.
    case client

    /// The reason for an HTTP status, or nil when the status means success (2xx).
    public init?(status: Int) {
        switch status {
        case 200..<300: return nil
        case 500..<600: self = .status5xx
        default: self = .statusOther
        }
    }

    /// The reason for an `HTTPClientError` of `kind`. A full queue and a closed client are the
    /// frontend's own refusals, not the processor's.
    public init(_ kind: HTTPClientError.Kind) {
        switch kind {
        // The frontend speaks plain HTTP to the worker; a TLS failure would still be one of connecting.
        case .resolve, .refused, .connect, .tlsUntrusted, .tlsHostMismatch, .tlsHandshake: self = .connect
        case .timeout: self = .timeout
        case .reset: self = .reset
        case .badResponse: self = .badResponse
        case .queueFull, .closed: self = .client
        }
    }
}

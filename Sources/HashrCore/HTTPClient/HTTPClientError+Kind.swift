extension HTTPClientError {
    /// What failed, without the details: a fixed set to switch over (a new case must be handled by
    /// every switch, where a word would fall through to a default) and, as `rawValue`, a short word for
    /// metrics labels.
    public enum Kind: String, CaseIterable, Sendable {
        case resolve
        case refused
        case connect
        case timeout
        case reset
        case badResponse = "bad_response"
        case tlsUntrusted = "tls_untrusted"
        case tlsHostMismatch = "tls_host_mismatch"
        case tlsHandshake = "tls_handshake"
        case queueFull = "queue_full"
        case closed
    }
}

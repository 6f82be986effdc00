/// Makes TLS sessions for the HTTP client's `https://` connections.
///
/// The core only knows this protocol; the implementation (OpenSSL over memory BIOs, in the HashrTLS
/// target) lives outside it, so that only a service that speaks TLS loads libssl. The frontend,
/// whose idle memory is measured, never does.
public protocol TLSClientContext: AnyObject, Sendable {
    /// A session for one connection to `host`, which the server's certificate must name (and which
    /// is sent as SNI unless it is an IP address).
    func makeSession(host: String) throws(HTTPClientError) -> any TLSClientSession
}

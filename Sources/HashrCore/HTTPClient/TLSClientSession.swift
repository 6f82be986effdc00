/// One connection's TLS state, working on bytes only: the connection hands it what the socket read
/// and writes what it returns, so the socket stays the core's `TCPStream`. Loop-confined.
public protocol TLSClientSession: AnyObject {
    /// Starts the handshake: the bytes to send first (the ClientHello).
    func startHandshake() throws(HTTPClientError) -> [UInt8]
    /// Takes bytes read from the socket; returns what to send back, the application data they
    /// decrypt to, and whether the handshake is complete. Throws the handshake's failure (untrusted
    /// certificate, wrong host name, ...) or a broken record.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) -> TLSReceived
    /// Application data as bytes for the socket.
    func encrypt(_ bytes: [UInt8]) throws(HTTPClientError) -> [UInt8]
}

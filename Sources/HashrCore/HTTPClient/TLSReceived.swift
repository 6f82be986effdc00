/// What a `TLSClientSession` made of bytes from the socket.
public struct TLSReceived: Sendable, Equatable {
    /// Bytes to write to the socket (handshake messages, alerts).
    public var toSend: [UInt8]
    /// Decrypted application data.
    public var plaintext: [UInt8]
    /// The handshake has completed (now or earlier).
    public var isEstablished: Bool
    /// The server sent close_notify: no more application data will come.
    public var peerClosed: Bool

    public init(toSend: [UInt8] = [], plaintext: [UInt8] = [], isEstablished: Bool, peerClosed: Bool = false) {
        self.toSend = toSend
        self.plaintext = plaintext
        self.isEstablished = isEstablished
        self.peerClosed = peerClosed
    }
}

/// The way back to the client for one request. Loop-confined.
///
/// If the client has gone by the time the handler answers, the answer is dropped quietly: the
/// handler's work (a Redis publish, say) has still been done. Only the first answer counts: the
/// connection takes an answer only for the request it awaits one for, once.
///
/// A value (the connection and the request's number), not an object: one is made for every
/// request. It keeps the connection object (not the socket) alive while a handler holds it.
public struct HTTPResponder {
    private let connection: HTTPServerConnection
    private let sequence: Int

    init(connection: HTTPServerConnection, sequence: Int) {
        self.connection = connection
        self.sequence = sequence
    }

    /// True once the connection this request came on is closed.
    public var isClosed: Bool { !connection.isOpen(for: sequence) }

    /// Sends a complete response. Only the first call counts.
    public func respond(_ response: HTTPResponse) {
        connection.respond(response, sequence: sequence)
    }

    /// Starts an open-ended response (chunked on HTTP/1.1) and returns the stream to write it, or
    /// nil if the client has already gone (or the request was answered already).
    public func startStream(status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponseStream? {
        connection.startStream(status: status, headers: headers, sequence: sequence)
    }
}

/// An open response body written piece by piece (server-sent events, large downloads).
///
/// Backpressure: when the client reads slower than we write and more than the server's
/// `maxQueuedStreamBytes` are waiting, this one connection is closed; nobody else waits for it.
public final class HTTPResponseStream {
    private weak var connection: HTTPServerConnection?
    private let sequence: Int
    /// Runs once when the stream ends for any reason: `end()`, the client leaving, a slow client
    /// being cut off, or server shutdown.
    public var onClose: (() -> Void)?
    public private(set) var isClosed = false

    init(connection: HTTPServerConnection, sequence: Int) {
        self.connection = connection
        self.sequence = sequence
    }

    /// Sends `bytes` as one chunk. Returns false when the stream is closed (or just got closed
    /// because the client fell too far behind).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !isClosed, let connection else { return false }
        return connection.writeStreamChunk(bytes, sequence: sequence)
    }

    /// Caps the kernel's send buffer for this client. Left alone, Linux grows it to megabytes for a
    /// client that stops reading, all of it held before the stream's own queue sees any backlog, so
    /// a long-lived stream with a budget of its own caps the kernel's share too.
    public func limitKernelSendBuffer(to bytes: Int) {
        guard !isClosed else { return }
        connection?.limitKernelSendBuffer(to: bytes)
    }

    /// The kernel's send buffer for this client as the kernel reports it.
    var kernelSendBufferSize: Int { connection?.kernelSendBufferSize ?? 0 }

    /// Ends the response; the connection stays open for the next request if it can.
    public func end() {
        guard !isClosed else { return }
        connection?.endStream(sequence: sequence)
    }

    /// Resets the connection now, dropping anything unsent, also what the kernel holds. For a client
    /// the caller's own budget judged too far behind: `end()` would leave it connected with its
    /// backlog still queued, and a plain close would leave that backlog in the kernel until the
    /// client read it all.
    public func abort() {
        guard !isClosed else { return }
        connection?.close(reset: true)
    }

    /// Bytes written but not yet taken by the client's socket.
    public var queuedBytes: Int { connection?.queuedBytes ?? 0 }

    func closed() {
        guard !isClosed else { return }
        isClosed = true
        let action = onClose
        onClose = nil
        action?()
    }
}

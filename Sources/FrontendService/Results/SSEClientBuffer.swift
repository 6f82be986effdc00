/// The bounded output buffer of one Server-Sent Events client.
///
/// The frontend writes every result to every open stream. A client that stops reading (a frozen tab,
/// a dead network path that TCP has not noticed yet) would make its unsent bytes pile up without end,
/// and a writer that waited for it would slow every other client. So each client gets a byte budget
/// (`SSE_CLIENT_BUFFER`): writes are queued without waiting, and the moment a client's queue would
/// pass its budget it is cut off, alone. The browser's EventSource reconnects by itself.
///
/// Pure bookkeeping: the driver reports bytes queued and bytes the socket accepted.
public struct SSEClientBuffer: Sendable, Equatable {
    /// What to do with a frame offered to this client.
    public enum Admission: Sendable, Equatable {
        /// Queue the write.
        case write
        /// The client is too far behind: close its connection and queue nothing more.
        case disconnect
    }

    /// The most bytes that may wait for this client.
    public let limit: Int

    /// Bytes queued and not yet written to the socket.
    public private(set) var queuedBytes: Int = 0

    /// Set once the client overflowed; every later frame is refused too.
    public private(set) var isCutOff = false

    public init(limit: Int) {
        precondition(limit > 0, "the SSE client buffer needs room for at least one byte")
        self.limit = limit
    }

    /// Offers a frame of `count` bytes; on `.write` the bytes count as queued.
    public mutating func offer(_ count: Int) -> Admission {
        guard !isCutOff else { return .disconnect }
        guard queuedBytes + count <= limit else {
            isCutOff = true
            return .disconnect
        }
        queuedBytes += count
        return .write
    }

    /// Records that the socket accepted `count` queued bytes (a write completed).
    public mutating func written(_ count: Int) {
        queuedBytes = max(0, queuedBytes - count)
    }
}

/// The open `GET /api/results` streams and what to write to each, without the sockets.
///
/// Results arrive one Redis message at a time, thousands per second. Writing each one to each client
/// would cost `messages × clients` socket writes; instead ``publish(_:)`` frames a message once into a
/// shared batch, and the driver calls ``flush()`` on a short timer (every 10 ms, say) to write the
/// whole batch to every client in one write each. Each client has its own ``SSEClientBuffer``: one that
/// stops reading is cut off alone, and nobody else waits for it.
///
/// `ClientID` is whatever the driver uses to find a connection again.
public struct ResultStreams<ClientID: Hashable & Sendable>: Sendable {
    /// Bytes a client may have queued and unwritten before it is cut off (`SSE_CLIENT_BUFFER`).
    public let clientBufferLimit: Int
    /// Open streams at most (`SSE_MAX_CLIENTS`).
    public let maxClients: Int
    /// The reconnection delay sent to each new client (`SSE_RETRY`).
    public let retry: Duration

    private var clients: [ClientID: SSEClientBuffer] = [:]
    private var batch: [UInt8] = []
    private var batchedMessages = 0

    public init(clientBufferLimit: Int, maxClients: Int, retry: Duration) {
        self.clientBufferLimit = clientBufferLimit
        self.maxClients = maxClients
        self.retry = retry
    }

    /// The streams from the frontend's configuration.
    public init(configuration: FrontendConfiguration) {
        self.init(
            clientBufferLimit: configuration.sseClientBuffer, maxClients: configuration.sseMaxClients,
            retry: configuration.sseRetry)
    }

    /// Open streams.
    public var clientCount: Int { clients.count }

    /// Messages framed since the last flush.
    public var pendingMessages: Int { batchedMessages }

    /// Registers a new stream. Returns the first bytes to send after the `200` head (the retry hint
    /// and a comment that fires the browser's `open`), or nil when `maxClients` are already open: answer
    /// 503 then. Those first bytes count against the client's buffer like any other.
    public mutating func open(_ client: ClientID) -> [UInt8]? {
        guard clients[client] != nil || clients.count < maxClients else { return nil }
        let opening = ServerSentEvents.streamOpening(retry: retry)
        var buffer = SSEClientBuffer(limit: max(clientBufferLimit, opening.count))
        _ = buffer.offer(opening.count)
        clients[client] = buffer
        return opening
    }

    /// Forgets a stream (it closed, or the driver cut it off). Unknown clients are ignored.
    public mutating func close(_ client: ClientID) {
        clients[client] = nil
    }

    /// Adds one message from Redis channel `calculation` to the next flush.
    public mutating func publish(_ message: some Collection<UInt8>) {
        guard !clients.isEmpty else { return }  // nobody listens: nothing to keep
        batch.append(contentsOf: ServerSentEvents.calculation(message))
        batchedMessages += 1
    }

    /// Takes the batch: the bytes to write, once, to each client in `writeTo`; every client in
    /// `disconnect` fell too far behind and must be closed instead (it is already forgotten here).
    public mutating func flush() -> Flush {
        defer {
            batch.removeAll(keepingCapacity: true)
            batchedMessages = 0
        }
        return deliver(batch)
    }

    /// The batch followed by a keep-alive comment, for the `SSE_KEEPALIVE` timer: idle streams then
    /// still carry a few bytes, so proxies do not time them out.
    public mutating func flushWithKeepAlive() -> Flush {
        batch.append(contentsOf: ServerSentEvents.keepAlive)
        return flush()
    }

    /// Records that a write of `count` bytes to `client` completed.
    public mutating func written(_ count: Int, to client: ClientID) {
        clients[client]?.written(count)
    }

    /// Bytes queued and not yet written for `client`; nil for an unknown client.
    public func queuedBytes(of client: ClientID) -> Int? {
        clients[client]?.queuedBytes
    }

    private mutating func deliver(_ bytes: [UInt8]) -> Flush {
        guard !bytes.isEmpty else { return Flush(bytes: [], writeTo: [], disconnect: []) }
        var writeTo: [ClientID] = []
        var disconnect: [ClientID] = []
        writeTo.reserveCapacity(clients.count)
        for client in Array(clients.keys) {
            switch clients[client]?.offer(bytes.count) {
            case .write?:
                writeTo.append(client)
            case .disconnect?:
                clients[client] = nil
                disconnect.append(client)
            case nil:
                break
            }
        }
        return Flush(bytes: bytes, writeTo: writeTo, disconnect: disconnect)
    }
}

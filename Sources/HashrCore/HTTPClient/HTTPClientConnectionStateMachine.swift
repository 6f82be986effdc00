/// The life of one client connection as a value: events in, actions out, no I/O.
///
/// `HTTPClientConnection` feeds it what the socket, the name lookup, the TLS session, the parser and
/// the timer report, and does what it answers. Phases: resolving the name, connecting (address by
/// address), the TLS handshake (`https://` only), a request in flight, idle in the pool, closed.
/// Every event is accepted in every phase: one that no longer matters (a connect finishing after a
/// timeout closed the connection) answers `.none`.
///
/// The machine allocates nothing per request: the frontend's generator sends up to 10,000 requests
/// a second through it.
struct HTTPClientConnectionStateMachine {
    enum Phase: Equatable {
        case initial, resolving, connecting, handshaking, inFlight, idle, closed
    }

    /// What the machine needs to know of a request.
    struct RequestFacts: Equatable {
        /// The time allowed for its complete response (reported in a timeout error).
        var timeout: Duration
        /// May be sent again when a reused connection turns out to have been closed by the server.
        var isIdempotent: Bool
        /// Asked for `Connection: close`: the connection closes after the response.
        var asksToClose: Bool
    }

    enum Action: Equatable {
        /// Nothing to do.
        case none
        /// Start the request's timer (`timeout`), then resolve the host.
        case resolve(timeout: Duration)
        /// Connect to this address (the next of the name's after a failure).
        case connect(SocketAddress)
        /// Connected: start reading, then start the TLS handshake.
        case startTLS
        /// Write the request; on a new connection start reading first. With a `timeout`, start the
        /// request's timer (a request on a reused connection; a new one's runs since `.resolve`).
        case sendRequest(timeout: Duration?)
        /// Bytes of the response arrived: hand them to the parser.
        case parse
        /// The final response head arrived: keep it and the body that follows.
        case acceptHead
        /// The peer closed after the head: the body may be delimited by the close; ask the parser
        /// whether it ends here (then `responseEnded`, else `bodyCutOff`).
        case finishBodyAtClose
        /// The response is complete: stop the timer, close unless `reusable`, hand the response
        /// over, then (if `reusable`) give the connection back to the pool.
        case succeed(reusable: Bool)
        /// Close, then fail the request with `error`, or submit it again when `retry`.
        case fail(HTTPClientError, retry: Bool)
        /// Close; there is no request to answer.
        case close
    }

    private(set) var phase: Phase = .initial
    private let usesTLS: Bool
    /// The parser's body limit, named in `.responseTooLarge`.
    private let bodyLimit: Int
    private var request: RequestFacts?
    /// The addresses not yet tried while connecting, the current one first.
    private var addresses: ArraySlice<SocketAddress> = []
    private var hasResponseHead = false
    private var responseKeepsAlive = false
    /// Whether any byte of the current response arrived: a reused connection that fails before
    /// one has may just have hit the server's idle timeout.
    private var receivedBytes = false
    private var peerHasClosed = false
    /// How many requests this connection has answered.
    private(set) var completedRequests = 0

    init(usesTLS: Bool, bodyLimit: Int) {
        self.usesTLS = usesTLS
        self.bodyLimit = bodyLimit
    }

    /// A request is in flight (or the connection is still being made for one).
    var isBusy: Bool { request != nil }

    // MARK: Making the connection

    /// A new connection for `request`.
    mutating func open(_ request: RequestFacts) -> Action {
        guard phase == .initial else { preconditionFailure("open on a connection in phase \(phase)") }
        phase = .resolving
        self.request = request
        return .resolve(timeout: request.timeout)
    }

    mutating func resolved(_ list: [SocketAddress]) -> Action {
        guard phase == .resolving else { return .none }
        guard let first = list.first else { return failRequest(.resolveFailed(host: "?", reason: "no address")) }
        phase = .connecting
        addresses = list[...]
        return .connect(first)
    }

    mutating func resolveFailed(host: String, reason: String) -> Action {
        guard phase == .resolving else { return .none }
        return failRequest(.resolveFailed(host: host, reason: reason))
    }

    /// Connecting to the current address failed: try the next one before giving up.
    mutating func connectFailed(_ error: UVError) -> Action {
        guard phase == .connecting, let address = addresses.popFirst() else { return .none }
        if let next = addresses.first { return .connect(next) }
        return failRequest(
            error.code == UVError.connectionRefused
                ? .connectionRefused(address: address.text) : .connectFailed(address: address.text, reason: error.message))
    }

    mutating func connected() -> Action {
        guard phase == .connecting else { return .none }
        addresses = []
        if usesTLS {
            phase = .handshaking
            return .startTLS
        }
        phase = .inFlight
        return .sendRequest(timeout: nil)
    }

    mutating func tlsEstablished() -> Action {
        guard phase == .handshaking else { return .none }
        phase = .inFlight
        return .sendRequest(timeout: nil)
    }

    /// The TLS session failed: in the handshake, or on a broken record later.
    mutating func tlsFailed(_ error: HTTPClientError) -> Action {
        guard phase != .closed else { return .none }
        return failRequest(error)
    }

    // MARK: Requests and responses

    /// Another request on this idle, connected connection.
    mutating func send(_ request: RequestFacts) -> Action {
        guard phase == .idle else { preconditionFailure("send on a connection in phase \(phase)") }
        phase = .inFlight
        self.request = request
        return .sendRequest(timeout: request.timeout)
    }

    /// Bytes of application data arrived (decrypted, with TLS).
    mutating func bytesReceived() -> Action {
        switch phase {
        case .inFlight:
            receivedBytes = true
            return .parse
        case .idle:
            // Bytes nobody asked for: the connection is out of step; drop it.
            phase = .closed
            return .close
        case .initial, .resolving, .connecting, .handshaking, .closed:
            return .none
        }
    }

    mutating func responseHead(status: Int, keepAlive: Bool) -> Action {
        guard phase == .inFlight else { return .none }
        // An interim 100 Continue is not the answer; keep waiting.
        if (100..<200).contains(status) { return .none }
        hasResponseHead = true
        responseKeepsAlive = keepAlive
        return .acceptHead
    }

    /// The parser reached the end of a message; `bufferedBytes` it holds beyond it.
    mutating func responseEnded(bufferedBytes: Int) -> Action {
        guard phase == .inFlight, hasResponseHead, let request else { return .none }
        completedRequests += 1
        let reusable = responseKeepsAlive && !request.asksToClose && bufferedBytes == 0 && !peerHasClosed
        self.request = nil
        hasResponseHead = false
        receivedBytes = false
        phase = reusable ? .idle : .closed
        return .succeed(reusable: reusable)
    }

    mutating func parseFailed(_ error: HTTPParserError) -> Action {
        guard phase == .inFlight else { return .none }
        if case .payloadTooLarge = error {
            return failRequest(.responseTooLarge(limit: bodyLimit))
        }
        return failRequest(.badResponse(error.description))
    }

    // MARK: Closing

    /// The read side ended: the peer closed (`UV_EOF`) or the connection broke.
    mutating func peerClosed(_ error: UVError) -> Action {
        let endOfFile = error.code == UVError.endOfFile
        switch phase {
        case .inFlight:
            if hasResponseHead && endOfFile && !peerHasClosed {
                peerHasClosed = true
                return .finishBodyAtClose
            }
            let reason = endOfFile ? "closed by the server before the response" : error.message
            return failRequest(.connectionReset(reason: reason), retry: !receivedBytes && completedRequests > 0)
        case .handshaking:
            let reason = endOfFile ? "the server closed the connection during the handshake" : error.message
            return failRequest(.tlsFailed(reason: reason))
        case .idle:
            phase = .closed
            return .close
        case .initial, .resolving, .connecting, .closed:
            return .none
        }
    }

    /// After `.finishBodyAtClose`: the body did not end at the close.
    mutating func bodyCutOff() -> Action {
        guard phase == .inFlight else { return .none }
        return failRequest(.connectionReset(reason: "closed by the server before the response"))
    }

    /// A queued write failed: the peer is gone.
    mutating func writeFailed(_ error: UVError) -> Action {
        guard phase != .closed else { return .none }
        return failRequest(.connectionReset(reason: error.message))
    }

    mutating func timerFired() -> Action {
        guard phase != .closed else { return .none }
        guard let request else {
            phase = .closed
            return .close
        }
        return failRequest(.timeout(after: request.timeout))
    }

    /// The pool or the client closes this connection, failing its request (if any) with `error`.
    mutating func closeRequested(failing error: HTTPClientError) -> Action {
        guard phase != .closed else { return .none }
        return failRequest(error)
    }

    private mutating func failRequest(_ error: HTTPClientError, retry: Bool = false) -> Action {
        let request = self.request
        self.request = nil
        phase = .closed
        addresses = []
        guard let request else { return .close }
        return .fail(error, retry: retry && request.isIdempotent)
    }
}

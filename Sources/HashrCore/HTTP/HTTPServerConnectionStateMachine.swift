/// The rules of one server connection without its socket: which phase it is in, which timer runs,
/// whether an answer keeps the connection open, what a timeout, a half-close or shutdown does.
///
/// Pure: `HTTPServerConnection` feeds it events (bytes parsed, an answer, the timer, the peer
/// leaving) and carries out the actions it returns, so every rule is tested without sockets.
/// Requests are answered one at a time; `sequence` numbers them so that a late answer to a request
/// the connection has moved past is ignored.
struct HTTPServerConnectionStateMachine {
    enum Phase: Equatable {
        /// Waiting for (the rest of) a request.
        case reading
        /// A complete request (or the server's own error for a bad one) waits for its answer.
        case awaitingResponse
        /// An open-ended response is being written.
        case streaming
        /// The last answer drains, then the socket closes; nothing more is read or written.
        case closing
        /// The socket is closed.
        case closed
    }

    /// What the one timer is counting.
    enum TimerMode: Equatable {
        case none
        /// Between requests, or while the last answer drains: `idleTimeout`.
        case idle
        /// From a request's first byte until it is complete: `requestTimeout` (slowloris).
        case request
    }

    /// The facts of the request being answered that decide how its answer is framed.
    struct RequestFacts: Equatable {
        var keepAlive: Bool
        var version: HTTPVersion
        /// HEAD is served by the GET handler; its answer stops after the head.
        var isHead: Bool
    }

    /// How to write an answer's head and what follows it.
    struct ResponsePlan: Equatable {
        /// Announced in the head; for a complete answer also whether the connection stays open.
        var keepAlive: Bool
        var version: HTTPVersion
        var sendsBody: Bool
        /// Streams only: chunked on HTTP/1.1; on HTTP/1.0 the body ends when the connection closes.
        var chunked: Bool
    }

    /// What happens once an answer is complete.
    enum AfterResponse: Equatable {
        /// Keep-alive: go back to reading; the idle time starts now.
        case readNext
        /// Let the answer drain, then close; the idle timer bounds a client that stops reading.
        case closeAfterDrain
        /// The socket closed while the answer was being written (a write failed): nothing to do.
        case alreadyClosed
    }

    /// What the driver does when the timer fires.
    enum TimerExpiry: Equatable {
        case close
        /// A request did not arrive in time: answer 408 (as request `sequence`) and close.
        case answerTimeout(sequence: Int)
    }

    enum ShutdownAction: Equatable {
        case none
        case close
        case endStream
    }

    private(set) var phase = Phase.reading
    private(set) var timerMode = TimerMode.none
    /// Numbers the requests handed to handlers.
    private(set) var sequence = 0
    /// Set by a half-close, a bad request, HTTP/1.0 streaming or shutdown: answer what is in
    /// flight with `Connection: close` and take nothing new.
    private(set) var closeAfterResponse = false
    private(set) var isShuttingDown = false
    private(set) var request: RequestFacts?
    private var stream: ResponsePlan?

    var isClosed: Bool { phase == .closed }

    func isOpen(for sequence: Int) -> Bool { phase != .closing && phase != .closed && sequence == self.sequence }

    // MARK: Reading

    /// A request head was parsed. Returns true when the client waits for `100 Continue`.
    mutating func requestHeadReceived(_ facts: RequestFacts, expectsContinue: Bool) -> Bool {
        request = facts
        return facts.version == .http1_1 && expectsContinue
    }

    /// A request is complete: it goes to its handler as the returned sequence number.
    mutating func requestComplete() -> Int {
        precondition(phase == .reading, "a request completed while \(phase)")
        phase = .awaitingResponse
        sequence += 1
        return sequence
    }

    /// The bytes could not be parsed: the server answers the error itself, as the returned
    /// sequence number, and closes.
    mutating func parseFailed() -> Int {
        if request == nil { request = RequestFacts(keepAlive: false, version: .http1_1, isHead: false) }
        phase = .awaitingResponse
        closeAfterResponse = true
        return sequence
    }

    /// The driver parsed what it could; returns the timer mode wanted now, or nil to leave the
    /// timer as it is. `atBoundary`: no byte of a next request has arrived.
    mutating func inputProcessed(atBoundary: Bool) -> TimerMode? {
        let wanted: TimerMode
        switch phase {
        case .reading: wanted = atBoundary ? .idle : .request
        case .awaitingResponse, .streaming: wanted = .none
        case .closing, .closed: return nil  // the drain timer set by `responseFinished` goes on
        }
        guard wanted != timerMode else { return nil }
        timerMode = wanted
        return wanted
    }

    /// The client half-closed or the read failed. Returns true when the connection closes now.
    mutating func peerClosed() -> Bool {
        switch phase {
        // A client may half-close after sending its last request: still answer what is complete.
        case .awaitingResponse:
            closeAfterResponse = true
            return false
        // The last answer is still draining, and a half-closed client may still be reading it.
        case .closing, .closed: return false
        case .reading, .streaming: return true
        }
    }

    // MARK: Answering

    /// A complete answer for request `sequence`; nil when it is not the one awaited (late, or the
    /// connection moved on or closed).
    func completeResponse(sequence: Int, status: Int) -> ResponsePlan? {
        guard phase == .awaitingResponse, sequence == self.sequence, let request else { return nil }
        return ResponsePlan(
            keepAlive: request.keepAlive && !closeAfterResponse && !isShuttingDown, version: request.version,
            sendsBody: Self.statusHasBody(status) && !request.isHead, chunked: false)
    }

    /// Starts an open-ended answer for request `sequence`; nil when it is not the one awaited.
    mutating func startStream(sequence: Int) -> ResponsePlan? {
        guard phase == .awaitingResponse, sequence == self.sequence, let request else { return nil }
        let chunked = request.version == .http1_1
        if !chunked { closeAfterResponse = true }
        let plan = ResponsePlan(
            keepAlive: chunked && request.keepAlive && !isShuttingDown, version: request.version,
            sendsBody: !request.isHead, chunked: chunked)
        phase = .streaming
        stream = plan
        return plan
    }

    /// How a chunk of the stream of request `sequence` is written, or nil when it is not (wrong
    /// sequence, or not streaming).
    func streamChunk(sequence: Int) -> ResponsePlan? {
        guard phase == .streaming, sequence == self.sequence else { return nil }
        return stream
    }

    /// Ends the stream of request `sequence`: its plan (for the last chunk) and whether the
    /// connection stays open; nil when it is not streaming.
    mutating func endStream(sequence: Int) -> (plan: ResponsePlan, keepAlive: Bool)? {
        guard phase == .streaming, sequence == self.sequence, let plan = stream, let request else { return nil }
        stream = nil
        return (plan, plan.chunked && request.keepAlive && !closeAfterResponse && !isShuttingDown)
    }

    /// The answer is written (or its stream ended).
    mutating func responseFinished(keepAlive: Bool) -> AfterResponse {
        request = nil
        stream = nil
        guard phase != .closed else { return .alreadyClosed }
        guard keepAlive else {
            phase = .closing
            timerMode = .idle
            return .closeAfterDrain
        }
        phase = .reading
        // The idle time starts now: a timer already in idle mode would otherwise keep counting
        // from before this exchange, since `inputProcessed` leaves a timer alone whose mode is unchanged.
        timerMode = .none
        return .readNext
    }

    // MARK: Timer, shutdown, close

    mutating func timerFired() -> TimerExpiry {
        switch timerMode {
        case .idle, .none:
            return .close
        case .request:
            timerMode = .none
            closeAfterResponse = true
            if request == nil { request = RequestFacts(keepAlive: false, version: .http1_1, isHead: false) }
            phase = .awaitingResponse
            return .answerTimeout(sequence: sequence)
        }
    }

    /// Graceful shutdown: idle connections close now, busy ones after their answer, streams end.
    mutating func beginShutdown(isIdle: Bool) -> ShutdownAction {
        isShuttingDown = true
        closeAfterResponse = true
        switch phase {
        case .reading where isIdle: return .close
        case .streaming: return .endStream
        default: return .none
        }
    }

    /// The socket is closing or closed. Returns false when it already was.
    mutating func closed() -> Bool {
        guard phase != .closed else { return false }
        phase = .closed
        stream = nil
        return true
    }

    static func statusHasBody(_ status: Int) -> Bool { !(status < 200 || status == 204 || status == 304) }
}

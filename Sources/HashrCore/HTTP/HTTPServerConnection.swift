import CLibUV

/// One accepted connection: parses requests, hands each to its route, writes the answers in order.
///
/// The driver of `HTTPServerConnectionStateMachine`, which holds the rules (phases, timers,
/// keep-alive, close); this class holds the socket, the parser, the timer and the request being
/// answered, and carries out what the machine decides. Requests are answered one at a time;
/// pipelined requests wait, unparsed, in the parser's buffer until the one before them is
/// answered, which keeps answers in request order.
final class HTTPServerConnection {
    // Strong: the server must outlive the close callback; the cycle ends when it forgets a closed connection.
    private let server: HTTPServer
    private let tcp: TCPStream
    private var parser: HTTPParser
    private var state = HTTPServerConnectionStateMachine()
    private var timer: LoopTimer?
    /// When the timer's count ends (loop milliseconds); nil while it counts nothing.
    private var deadline: UInt64?
    /// When the libuv timer fires next; nil when it is not running. It may fire before `deadline`
    /// and is then started again for the rest: pushing a deadline later (every keep-alive answer
    /// restarts the idle time) costs no timer call.
    private var timerDue: UInt64?
    private let idleMilliseconds: UInt64
    private let requestMilliseconds: UInt64
    private var processing = false

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var route = "unmatched"
    private var startedAt: UInt64 = 0
    private var stream: HTTPResponseStream?
    private var streamBytes = 0
    private var streamStatus = 200
    /// The peer's address for the access log, read once at the start (a peer that has gone has none).
    private var client = "-"

    init(server: HTTPServer, tcp: TCPStream) {
        self.server = server
        self.tcp = tcp
        parser = HTTPParser(kind: .request, limits: server.configuration.limits)
        idleMilliseconds = server.configuration.idleTimeout.milliseconds
        requestMilliseconds = server.configuration.requestTimeout.milliseconds
    }

    func start() {
        client = tcp.peerHost
        tcp.setNoDelay()
        tcp.onRead = { [unowned self] bytes in didRead(bytes) }
        tcp.onReadError = { [unowned self] _ in peerClosed() }
        tcp.onWriteError = { [unowned self] _ in close() }
        tcp.onClosed = { [self] in didClose() }
        timer = LoopTimer(loop: server.loop) { [unowned self] in timerFired() }
        tcp.startReading()
        armTimer()
    }

    var queuedBytes: Int { tcp.queuedBytes }

    var phase: HTTPServerConnectionStateMachine.Phase { state.phase }

    var isIdle: Bool { state.phase == .reading && atBoundary }

    private var atBoundary: Bool { parser.isAtMessageBoundary && parser.bufferedByteCount == 0 }

    func isOpen(for sequence: Int) -> Bool { state.isOpen(for: sequence) }

    // MARK: Reading

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        processInput()
    }

    private func peerClosed() {
        if state.peerClosed() { close() }
    }

    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while state.phase == .reading {
            let event: HTTPParser.Event?
            do {
                event = try parser.next()
            } catch {
                return fail(error)
            }
            guard let event else { break }
            switch event {
            case .requestHead(let requestHead):
                beginRequest(requestHead)
            case .body(let chunk):
                // Most bodies come in one piece: take it rather than copy it into a new array.
                if body.isEmpty { body = chunk } else { body.append(contentsOf: chunk) }
            case .end:
                dispatch()
            case .responseHead:
                preconditionFailure("a request parser emitted a response head")
            }
        }
        // Pipelined requests beyond one buffer's worth wait in the kernel, not in our memory.
        if state.phase != .reading && parser.bufferedByteCount > EventLoop.readBufferSize {
            tcp.stopReading()
        }
        armTimer()
    }

    private func beginRequest(_ requestHead: HTTPRequestHead) {
        head = requestHead
        body = []
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        // Keep-alive and Expect as the parser found them while reading the fields, not by a rescan.
        let facts = HTTPServerConnectionStateMachine.RequestFacts(
            keepAlive: parser.facts.keepAlive(version: requestHead.version), version: requestHead.version,
            isHead: requestHead.method == "HEAD")
        if state.requestHeadReceived(facts, expectsContinue: parser.facts.expectsContinue) {
            tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
    }

    private func dispatch() {
        guard let head else { return }
        let sequence = state.requestComplete()
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        let request = HTTPRequest(head: head, body: body, client: client)
        body = []
        for wrapper in server.wrappers {
            if let (route, response) = wrapper.intercept(request) {
                self.route = route
                return respond(response, sequence: sequence)
            }
        }
        let (route, handler) = server.router.resolve(method: request.method, path: request.path)
        self.route = route
        handler(request, HTTPResponder(connection: self, sequence: sequence))
    }

    /// Answers a parse error with its status and closes; the server goes on serving everyone else.
    private func fail(_ error: HTTPParserError) {
        answerItself(.error(error.status, error.description), route: "invalid", sequence: state.parseFailed())
    }

    /// An answer of the server's own, for a request no handler saw.
    private func answerItself(_ response: HTTPResponse, route: String, sequence: Int) {
        if head == nil { head = HTTPRequestHead(method: "-", target: "-") }
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        self.route = route
        respond(response, sequence: sequence)
    }

    // MARK: Writing

    func respond(_ response: HTTPResponse, sequence: Int) {
        guard let plan = state.completeResponse(sequence: sequence, status: response.status) else { return }
        let hasBody = HTTPServerConnectionStateMachine.statusHasBody(response.status)
        var bytes: [UInt8] = []
        swap(&bytes, &server.responseBuffer)
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(256 + response.body.count)
        server.heads.appendHead(
            status: response.status, headers: response.headers, contentLength: hasBody ? response.body.count : nil,
            connection: connectionField(plan), second: HTTPResponseHeadCache.currentSecond, into: &bytes)
        if plan.sendsBody { bytes.append(contentsOf: response.body) }
        tcp.write(bytes)
        if bytes.capacity <= 64 * 1024 { server.responseBuffer = bytes }
        finishExchange(status: response.status, bytes: response.body.count, keepAlive: plan.keepAlive)
    }

    /// The `Connection` field an answer gets in place of the handler's: `close`, or `keep-alive`
    /// on HTTP/1.0; nil leaves the handler's.
    private func connectionField(_ plan: HTTPServerConnectionStateMachine.ResponsePlan) -> String? {
        !plan.keepAlive ? "close" : plan.version == .http1_0 ? "keep-alive" : nil
    }

    func startStream(status: Int, headers: HTTPHeaders, sequence: Int) -> HTTPResponseStream? {
        guard let plan = state.startStream(sequence: sequence) else { return nil }
        var headers = headers
        if plan.chunked { headers.replace("Transfer-Encoding", "chunked") }
        var bytes: [UInt8] = []
        HTTPHeadEncoder.responseHead(
            status: status, headers: headers,
            adding: server.heads.fields(
                contentLength: nil, connection: connectionField(plan), second: HTTPResponseHeadCache.currentSecond),
            into: &bytes)
        tcp.write(bytes)
        streamBytes = 0
        streamStatus = status
        let stream = HTTPResponseStream(connection: self, sequence: sequence)
        self.stream = stream
        return stream
    }

    func writeStreamChunk(_ chunk: [UInt8], sequence: Int) -> Bool {
        guard let plan = state.streamChunk(sequence: sequence), !chunk.isEmpty else { return state.phase == .streaming }
        guard plan.sendsBody else { return true }
        if plan.chunked {
            var framed = HTTPHeadEncoder.chunkHeader(size: chunk.count)
            framed.reserveCapacity(framed.count + chunk.count + 2)
            framed.append(contentsOf: chunk)
            HTTPHeadEncoder.appendCRLF(to: &framed)
            tcp.write(framed)
        } else {
            tcp.write(chunk)
        }
        streamBytes += chunk.count
        if tcp.queuedBytes > server.configuration.maxQueuedStreamBytes {
            server.logger.warning("closing a slow client: \(tcp.queuedBytes) bytes queued on \(head?.target ?? "-")")
            close(reset: true)
            return false
        }
        return true
    }

    func endStream(sequence: Int) {
        guard let (plan, keepAlive) = state.endStream(sequence: sequence) else { return }
        if plan.chunked && plan.sendsBody { tcp.write(Array("0\r\n\r\n".utf8)) }
        let stream = self.stream
        self.stream = nil
        finishExchange(status: streamStatus, bytes: streamBytes, keepAlive: keepAlive)
        stream?.closed()
    }

    private func finishExchange(status: Int, bytes: Int, keepAlive: Bool) {
        let now = EventLoop.monotonicNanoseconds()
        if let head {
            let record = AccessRecord(
                client: client, method: head.method, target: head.target, status: status, nanoseconds: now &- startedAt,
                bytes: bytes)
            for wrapper in server.wrappers { wrapper.finished(record, route: route) }
        }
        head = nil
        startedAt = 0
        switch state.responseFinished(keepAlive: keepAlive) {
        case .closeAfterDrain:
            // The answer drains before the socket closes. A client that stops reading gets as long
            // as an idle one; `close()` (the timer, a write error, shutdown's grace period) still cuts it off.
            countDown(idleMilliseconds)
            tcp.shutdownThenClose()
        case .readNext:
            tcp.startReading()
            processInput()
            server.connectionBecameIdleIfShuttingDown(self)
        case .alreadyClosed:
            break
        }
    }

    // MARK: Timeouts and closing

    private func armTimer() {
        guard timer != nil, let mode = state.inputProcessed(atBoundary: atBoundary) else { return }
        switch mode {
        case .none: deadline = nil
        case .idle: countDown(idleMilliseconds)
        // Started at a request's first byte and never extended by more bytes: trickling does not help.
        case .request: countDown(requestMilliseconds)
        }
    }

    /// Sets the deadline `milliseconds` from now, starting the libuv timer only when it would
    /// otherwise fire too late (or not at all).
    private func countDown(_ milliseconds: UInt64) {
        guard let timer else { return }
        let due = server.loop.nowMilliseconds &+ milliseconds
        deadline = due
        if let timerDue, timerDue <= due { return }
        timer.start(after: .milliseconds(Int64(clamping: milliseconds)))
        timerDue = due
    }

    private func timerFired() {
        timerDue = nil
        guard let deadline else { return }
        let now = server.loop.nowMilliseconds
        if now < deadline {
            // An earlier count's firing: wait for the rest of this one.
            timer?.start(after: .milliseconds(Int64(clamping: deadline - now)))
            timerDue = deadline
            return
        }
        self.deadline = nil
        switch state.timerFired() {
        case .close: close()
        case .answerTimeout(let sequence):
            answerItself(.error(408, "request not received in time"), route: "timeout", sequence: sequence)
        }
    }

    /// Caps what the kernel buffers for this client; see `HTTPResponseStream.limitKernelSendBuffer`.
    func limitKernelSendBuffer(to bytes: Int) {
        guard !state.isClosed else { return }
        tcp.setSendBufferSize(bytes)
    }

    var kernelSendBufferSize: Int { state.isClosed ? 0 : tcp.sendBufferSize }

    /// Closes now, dropping anything unsent. `reset` also drops what the kernel still holds and
    /// tells the peer with a TCP reset: for a client cut off for not reading.
    func close(reset: Bool = false) {
        guard state.closed() else { return }
        timer?.close()
        timer = nil
        if reset { tcp.closeWithReset() } else { tcp.close() }
        let stream = self.stream
        self.stream = nil
        stream?.closed()
    }

    /// Graceful shutdown: idle connections close now, busy ones after their answer, streams end.
    func beginShutdown() {
        switch state.beginShutdown(isIdle: isIdle) {
        case .none: break
        case .close: close()
        case .endStream: if let stream { stream.end() } else { close() }
        }
    }

    private func didClose() {
        tcp.onClosed = nil
        // A graceful close ends here without passing through `close()`.
        _ = state.closed()
        timer?.close()
        timer = nil
        server.connectionClosed(self)
    }
}

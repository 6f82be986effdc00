import CLibUV

/// One accepted connection: parses requests, hands each to its route, writes the answers in order.
///
/// Requests on a connection are answered one at a time; pipelined requests wait, unparsed, in the
/// parser's buffer until the one before them is answered, which keeps answers in request order.
final class HTTPServerConnection {
    enum Phase {
        /// Waiting for (the rest of) a request.
        case reading
        /// A complete request is with its handler.
        case awaitingResponse
        /// An open-ended response is being written.
        case streaming
        /// Closing; nothing more is read or written.
        case closing
    }

    private enum TimerMode { case none, idle, request }

    // Strong: the server must outlive the close callback; the cycle ends when it forgets a closed connection.
    private let server: HTTPServer
    private let tcp: TCPStream
    private var parser: HTTPParser
    private(set) var phase = Phase.reading
    private var timerMode = TimerMode.none
    private var timer: LoopTimer?
    private var sequence = 0
    private var processing = false
    /// Set by graceful shutdown: answer what is in flight with `Connection: close`, take nothing new.
    private var closeAfterResponse = false
    private var isClosed = false

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var route = "unmatched"
    private var startedAt: UInt64 = 0
    private var stream: HTTPResponseStream?
    private var streamBytes = 0
    private var streamIsChunked = true
    /// The peer's address for the access log, read once at the start (a peer that has gone has none).
    private var client = "-"

    init(server: HTTPServer, tcp: TCPStream) {
        self.server = server
        self.tcp = tcp
        parser = HTTPParser(kind: .request, limits: server.configuration.limits)
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

    var isIdle: Bool { phase == .reading && parser.isAtMessageBoundary && parser.bufferedByteCount == 0 }

    func isOpen(for sequence: Int) -> Bool { phase != .closing && sequence == self.sequence }

    // MARK: Reading

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        processInput()
    }

    private func peerClosed() {
        // A client may half-close after sending its last request: still answer what is complete.
        switch phase {
        case .awaitingResponse: closeAfterResponse = true
        // The last answer is still draining, and a half-closed client may still be reading it.
        case .closing: break
        case .reading, .streaming: close()
        }
    }

    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while phase == .reading {
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
                body.append(contentsOf: chunk)
            case .end:
                dispatch()
            case .responseHead:
                preconditionFailure("a request parser emitted a response head")
            }
        }
        // Pipelined requests beyond one buffer's worth wait in the kernel, not in our memory.
        if phase != .reading && parser.bufferedByteCount > EventLoop.readBufferSize {
            tcp.stopReading()
        }
        armTimer()
    }

    private func beginRequest(_ requestHead: HTTPRequestHead) {
        head = requestHead
        body = []
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        if requestHead.version == .http1_1, requestHead.headers["expect"]?.lowercased() == "100-continue" {
            tcp.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
    }

    private func dispatch() {
        guard let head else { return }
        phase = .awaitingResponse
        sequence += 1
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        let request = HTTPRequest(head: head, body: body, client: client)
        body = []
        let responder = HTTPResponder(connection: self, sequence: sequence)
        if request.method == "OPTIONS", server.configuration.corsAllowOrigin != nil {
            route = "preflight"
            return respond(corsPreflight(for: request), sequence: sequence)
        }
        let (route, handler) = server.router.resolve(method: request.method, path: request.path)
        self.route = route
        handler(request, responder)
    }

    private func corsPreflight(for request: HTTPRequest) -> HTTPResponse {
        var response = HTTPResponse(status: 204)
        let methods = server.router.allowedMethods(forPath: request.path)
        response.headers.add("Access-Control-Allow-Methods", methods.isEmpty ? "GET, HEAD, POST, PUT, OPTIONS" : (methods + ["OPTIONS"]).joined(separator: ", "))
        response.headers.add("Access-Control-Allow-Headers", request.headers["access-control-request-headers"] ?? "Content-Type")
        response.headers.add("Access-Control-Max-Age", "600")
        return response
    }

    /// Answers a parse error with its status and closes; the server goes on serving everyone else.
    private func fail(_ error: HTTPParserError) {
        if head == nil { head = HTTPRequestHead(method: "-", target: "-") }
        if startedAt == 0 { startedAt = EventLoop.monotonicNanoseconds() }
        route = "invalid"
        phase = .awaitingResponse
        closeAfterResponse = true
        respond(.error(error.status, error.description), sequence: sequence)
    }

    // MARK: Writing

    func respond(_ response: HTTPResponse, sequence: Int) {
        guard phase == .awaitingResponse, sequence == self.sequence, let head else { return }
        let keepAlive = head.keepAlive && !closeAfterResponse && !server.isShuttingDown
        var headers = response.headers
        let hasBody = !(response.status < 200 || response.status == 204 || response.status == 304)
        if hasBody { headers.replace("Content-Length", String(response.body.count)) }
        addCommonHeaders(&headers, keepAlive: keepAlive, version: head.version)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + response.body.count)
        HTTPHeadEncoder.responseHead(status: response.status, headers: headers, into: &bytes)
        if hasBody && head.method != "HEAD" { bytes.append(contentsOf: response.body) }
        tcp.write(bytes)
        finishExchange(status: response.status, bytes: response.body.count, keepAlive: keepAlive)
    }

    private func addCommonHeaders(_ headers: inout HTTPHeaders, keepAlive: Bool, version: HTTPVersion) {
        headers.add("Date", server.httpDate())
        for field in server.configuration.defaultHeaders where !headers.contains(field.name) {
            headers.add(field.name, field.value)
        }
        if let origin = server.configuration.corsAllowOrigin { headers.add("Access-Control-Allow-Origin", origin) }
        if !keepAlive {
            headers.replace("Connection", "close")
        } else if version == .http1_0 {
            headers.replace("Connection", "keep-alive")
        }
    }

    func startStream(status: Int, headers: HTTPHeaders, sequence: Int) -> HTTPResponseStream? {
        guard phase == .awaitingResponse, sequence == self.sequence, let head else { return nil }
        var headers = headers
        // HTTP/1.0 has no chunked coding: the body then ends when the connection closes.
        streamIsChunked = head.version == .http1_1
        if streamIsChunked {
            headers.replace("Transfer-Encoding", "chunked")
        } else {
            closeAfterResponse = true
        }
        addCommonHeaders(&headers, keepAlive: streamIsChunked && head.keepAlive && !server.isShuttingDown, version: head.version)
        var bytes: [UInt8] = []
        HTTPHeadEncoder.responseHead(status: status, headers: headers, into: &bytes)
        tcp.write(bytes)
        phase = .streaming
        streamBytes = 0
        // HEAD is served by the GET handler; its answer must stop after the head.
        streamSendsBody = head.method != "HEAD"
        let stream = HTTPResponseStream(connection: self, sequence: sequence)
        self.stream = stream
        streamStatus = status
        return stream
    }

    private var streamStatus = 200
    private var streamSendsBody = true

    func writeStreamChunk(_ chunk: [UInt8], sequence: Int) -> Bool {
        guard phase == .streaming, sequence == self.sequence, !chunk.isEmpty else { return phase == .streaming }
        guard streamSendsBody else { return true }
        if streamIsChunked {
            var framed = HTTPHeadEncoder.chunkHeader(size: chunk.count)
            framed.reserveCapacity(framed.count + chunk.count + 2)
            framed.append(contentsOf: chunk)
            framed.append(contentsOf: [0x0D, 0x0A])
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
        guard phase == .streaming, sequence == self.sequence, let head else { return }
        if streamIsChunked && streamSendsBody { tcp.write(Array("0\r\n\r\n".utf8)) }
        let keepAlive = streamIsChunked && head.keepAlive && !closeAfterResponse && !server.isShuttingDown
        let stream = self.stream
        self.stream = nil
        finishExchange(status: streamStatus, bytes: streamBytes, keepAlive: keepAlive)
        stream?.closed()
    }

    private func finishExchange(status: Int, bytes: Int, keepAlive: Bool) {
        let now = EventLoop.monotonicNanoseconds()
        if let head {
            server.metrics.record(
                client: client, method: head.method, target: head.target, route: route, status: status,
                nanoseconds: now &- startedAt, bytes: bytes)
        }
        head = nil
        startedAt = 0
        guard keepAlive else {
            phase = .closing
            // The answer drains before the socket closes. A client that stops reading gets as long
            // as an idle one; `close()` (the timer, a write error, shutdown's grace period) still cuts it off.
            timerMode = .idle
            timer?.start(after: server.configuration.idleTimeout)
            tcp.shutdownThenClose()
            return
        }
        phase = .reading
        // The idle time starts now: without this, a timer already in idle mode would keep counting
        // from before this exchange, since `armTimer` leaves a timer alone whose mode is unchanged.
        timerMode = .none
        tcp.startReading()
        processInput()
        server.connectionBecameIdleIfShuttingDown(self)
    }

    // MARK: Timeouts and closing

    private func armTimer() {
        guard let timer else { return }
        let wanted: TimerMode
        switch phase {
        case .reading: wanted = parser.isAtMessageBoundary && parser.bufferedByteCount == 0 ? .idle : .request
        case .awaitingResponse, .streaming: wanted = .none
        case .closing: return  // `finishExchange` set the timer for the last bytes to drain
        }
        guard wanted != timerMode else { return }
        timerMode = wanted
        switch wanted {
        case .none: timer.stop()
        case .idle: timer.start(after: server.configuration.idleTimeout)
        // Started at a request's first byte and never extended by more bytes: trickling does not help.
        case .request: timer.start(after: server.configuration.requestTimeout)
        }
    }

    private func timerFired() {
        switch timerMode {
        case .idle, .none:
            close()
        case .request:
            timerMode = .none
            closeAfterResponse = true
            if head == nil { head = HTTPRequestHead(method: "-", target: "-") }
            route = "timeout"
            phase = .awaitingResponse
            respond(.error(408, "request not received in time"), sequence: sequence)
        }
    }

    /// Caps what the kernel buffers for this client; see `HTTPResponseStream.limitKernelSendBuffer`.
    func limitKernelSendBuffer(to bytes: Int) {
        guard !isClosed else { return }
        tcp.setSendBufferSize(bytes)
    }

    var kernelSendBufferSize: Int { isClosed ? 0 : tcp.sendBufferSize }

    /// Closes now, dropping anything unsent. `reset` also drops what the kernel still holds and
    /// tells the peer with a TCP reset: for a client cut off for not reading.
    func close(reset: Bool = false) {
        guard !isClosed else { return }
        isClosed = true
        phase = .closing
        timer?.close()
        timer = nil
        if reset { tcp.closeWithReset() } else { tcp.close() }
        let stream = self.stream
        self.stream = nil
        stream?.closed()
    }

    /// Graceful shutdown: idle connections close now, busy ones after their answer, streams end.
    func beginShutdown() {
        closeAfterResponse = true
        switch phase {
        case .reading where isIdle: close()
        case .streaming: if let stream { stream.end() } else { close() }
        default: break
        }
    }

    private func didClose() {
        tcp.onClosed = nil
        // A graceful close ends here without passing through `close()`.
        isClosed = true
        timer?.close()
        timer = nil
        server.connectionClosed(self)
    }
}

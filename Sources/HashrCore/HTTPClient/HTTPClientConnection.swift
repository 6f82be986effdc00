/// One keep-alive connection of the client: the driver of `HTTPClientConnectionStateMachine`. It
/// does the I/O (name lookup, connect, TLS bytes, writes, the timer) and holds the data (the request
/// and its completion, the response so far); the machine decides what happens next. Loop-confined.
final class HTTPClientConnection {
    typealias Completion = (Result<HTTPClientResponse, HTTPClientError>) -> Void

    // Strong: the pool must outlive the close callback; the cycle ends when the pool forgets a closed connection.
    private let pool: HTTPConnectionPool
    private let tcp: TCPStream
    private lazy var timer = LoopTimer(loop: pool.loop) { [unowned self] in run(machine.timerFired()) }
    private var machine: HTTPClientConnectionStateMachine
    private var parser: HTTPParser
    private var current: Exchange?
    private var responseHead: HTTPResponseHead?
    private var responseBody: [UInt8] = []
    private var closed = false
    /// The name lookup of a new connection, until it finishes; cancelled when the connection closes
    /// first (the request timed out, or the client closed).
    private var lookup: AddressLookup?
    /// The TLS session of an `https://` connection, from the handshake on.
    private var tls: (any TLSClientSession)?

    init(pool: HTTPConnectionPool) throws(UVError) {
        self.pool = pool
        tcp = try TCPStream(loop: pool.loop)
        let limits = pool.configuration.responseLimits
        parser = HTTPParser(kind: .response, limits: limits)
        machine = HTTPClientConnectionStateMachine(usesTLS: pool.endpoint.usesTLS, bodyLimit: limits.maxBodyBytes)
        tcp.onRead = { [unowned self] bytes in didRead(bytes) }
        tcp.onReadError = { [unowned self] error in run(machine.peerClosed(error)) }
        tcp.onWriteError = { [unowned self] error in run(machine.writeFailed(error)) }
        tcp.onClosed = { [self] in pool.connectionClosed(self) }
    }

    var isBusy: Bool { machine.isBusy }
    /// How many requests this connection has answered.
    var completedRequests: Int { machine.completedRequests }

    /// Resolves the pool's host, connects, then sends `request`. The request's timeout runs from
    /// now, so a DNS server that never answers (or a TLS server that never finishes its handshake)
    /// cannot hold the request past it.
    func open(sending request: HTTPClientRequest, completion: @escaping Completion) {
        current = Exchange(request: request, completion: completion)
        prepareParser(for: request)
        run(machine.open(facts(of: request)))
    }

    /// Sends on this (idle, connected) connection.
    func send(_ request: HTTPClientRequest, completion: @escaping Completion) {
        current = Exchange(request: request, completion: completion)
        prepareParser(for: request)
        run(machine.send(facts(of: request)))
    }

    private func prepareParser(for request: HTTPClientRequest) {
        parser.nextResponseIsToHEAD = request.method == "HEAD"
        parser.keepsOnlyFramingFields = !request.needsResponseHeaders
    }

    /// Fails the request in flight (if any) and closes.
    func fail(_ error: HTTPClientError) {
        run(machine.closeRequested(failing: error))
    }

    func close() {
        guard !closed else { return }
        closed = true
        lookup?.cancel()
        lookup = nil
        timer.close()
        tcp.close()
    }

    private func facts(of request: HTTPClientRequest) -> HTTPClientConnectionStateMachine.RequestFacts {
        .init(
            timeout: request.timeout ?? pool.configuration.requestTimeout, isIdempotent: request.isIdempotent,
            asksToClose: request.asksToClose)
    }

    /// Does what the machine said.
    private func run(_ action: HTTPClientConnectionStateMachine.Action) {
        switch action {
        case .none, .acceptHead:
            break
        case .resolve(let timeout):
            timer.start(after: timeout)
            resolve()
        case .connect(let address):
            connect(to: address)
        case .startTLS:
            startReading()
            startTLS()
        case .sendRequest(let timeout):
            if let timeout { timer.start(after: timeout) } else { startReading() }
            if let current { write(current.request.encoded()) }
        case .parse:
            break  // `deliver` parses; the machine only counts the bytes.
        case .finishBodyAtClose:
            // A body delimited by the connection closing.
            if (try? parser.finish()) == .end {
                run(machine.responseEnded(bufferedBytes: 0))
            } else {
                run(machine.bodyCutOff())
            }
        case .succeed(let reusable):
            succeed(reusable: reusable)
        case .fail(let error, let retry):
            let current = self.current
            self.current = nil
            close()
            guard let current else { return }
            if retry {
                pool.submit(current.request, completion: current.completion)
            } else {
                current.completion(.failure(error))
            }
        case .close:
            close()
        }
    }

    private func resolve() {
        let endpoint = pool.endpoint
        if let address = SocketAddress(numericHost: endpoint.host, port: endpoint.port) {
            return run(machine.resolved([address]))
        }
        // Strong capture: the lookup ends either by calling back or by `close()` cancelling it, which
        // drops this closure.
        lookup = AddressLookup.start(loop: pool.loop, host: endpoint.host, port: endpoint.port) { [self] result in
            lookup = nil
            switch result {
            case .success(let addresses): run(machine.resolved(addresses))
            case .failure(let failure): run(machine.resolveFailed(host: failure.host, reason: failure.reason))
            }
        }
    }

    private func connect(to address: SocketAddress) {
        tcp.connect(to: address) { [self] error in
            run(error.map { machine.connectFailed($0) } ?? machine.connected())
        }
    }

    private func startReading() {
        tcp.setNoDelay()
        tcp.startReading()
    }

    private func startTLS() {
        guard let context = pool.configuration.tls else {
            return run(machine.tlsFailed(.tlsFailed(reason: "this client has no TLS configured for \(pool.endpoint)")))
        }
        do throws(HTTPClientError) {
            let session = try context.makeSession(host: pool.endpoint.host)
            tls = session
            tcp.write(try session.startHandshake())
        } catch {
            run(machine.tlsFailed(error))
        }
    }

    /// Writes application data, encrypted on a TLS connection.
    private func write(_ bytes: [UInt8]) {
        guard let tls else { return tcp.write(bytes) }
        do throws(HTTPClientError) {
            tcp.write(try tls.encrypt(bytes))
        } catch {
            run(machine.tlsFailed(error))
        }
    }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        guard let tls else { return deliver(bytes) }
        let received: TLSReceived
        do throws(HTTPClientError) {
            received = try tls.receive(bytes)
        } catch {
            return run(machine.tlsFailed(error))
        }
        if !received.toSend.isEmpty { tcp.write(received.toSend) }
        if received.isEstablished && machine.phase == .handshaking { run(machine.tlsEstablished()) }
        if !received.plaintext.isEmpty { received.plaintext.withUnsafeBytes { deliver($0) } }
        if received.peerClosed && !closed { run(machine.peerClosed(UVError(code: UVError.endOfFile, operation: "read"))) }
    }

    /// Application data: to the parser, if the machine expects a response.
    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        let action = machine.bytesReceived()
        guard action == .parse else { return run(action) }
        parser.append(bytes)
        do {
            while !closed, let event = try parser.next() {
                switch event {
                case .responseHead(let head):
                    // Keep-alive as the parser found it while reading the fields, not by a rescan.
                    let keepAlive = parser.facts.keepAlive(version: head.version)
                    if machine.responseHead(status: head.status, keepAlive: keepAlive) == .acceptHead {
                        responseHead = head
                    }
                case .body(let chunk):
                    if responseHead != nil { responseBody.append(contentsOf: chunk) }
                case .end:
                    run(machine.responseEnded(bufferedBytes: parser.bufferedByteCount))
                    if machine.phase != .inFlight { return }
                case .requestHead:
                    preconditionFailure("a response parser emitted a request head")
                }
            }
        } catch {
            run(machine.parseFailed(error))
        }
    }

    private func succeed(reusable: Bool) {
        guard let current, let head = responseHead else { return }
        self.current = nil
        timer.stop()
        let response = HTTPClientResponse(head: head, body: responseBody)
        responseHead = nil
        responseBody = []
        if !reusable { close() }
        current.completion(.success(response))
        if reusable { pool.connectionIsIdle(self) }
    }

    /// The request in flight and the closure waiting for its answer. A class: the pair is read at
    /// each step of an exchange, and as a tuple each read copied the request's fields (and their
    /// destruction went through the runtime's generic tuple code, ~500 instructions a time).
    private final class Exchange {
        let request: HTTPClientRequest
        let completion: Completion

        init(request: HTTPClientRequest, completion: @escaping Completion) {
            self.request = request
            self.completion = completion
        }
    }
}

/// One keep-alive connection of the client: sends a request, parses its response, and goes back
/// to its pool. Loop-confined.
final class HTTPClientConnection {
    typealias Completion = (Result<HTTPClientResponse, HTTPClientError>) -> Void

    // Strong: the pool must outlive the close callback; the cycle ends when the pool forgets a closed connection.
    private let pool: HTTPConnectionPool
    private let tcp: TCPStream
    private let timer: LoopTimer
    private var parser: HTTPParser
    private var current: (request: HTTPClientRequest, completion: Completion)?
    private var responseHead: HTTPResponseHead?
    private var responseBody: [UInt8] = []
    private var receivedBytes = false
    private var closed = false
    /// The name lookup of a new connection, until it finishes; cancelled when the connection closes
    /// first (the request timed out, or the client closed).
    private var lookup: AddressLookup?
    /// How many requests this connection has answered: a failure on a reused connection may just be
    /// the server's idle timeout, and an idempotent request is then worth one more try.
    private(set) var completedRequests = 0
    private(set) var isConnected = false

    init(pool: HTTPConnectionPool) throws(UVError) {
        self.pool = pool
        tcp = try TCPStream(loop: pool.loop)
        parser = HTTPParser(kind: .response, limits: pool.configuration.responseLimits)
        timer = LoopTimer(loop: pool.loop) {}
        timer.setAction { [unowned self] in timedOut() }
        tcp.onRead = { [unowned self] bytes in didRead(bytes) }
        tcp.onReadError = { [unowned self] error in peerClosed(error) }
        tcp.onWriteError = { [unowned self] error in fail(.connectionReset(reason: error.message)) }
        tcp.onClosed = { [self] in pool.connectionClosed(self) }
    }

    var isBusy: Bool { current != nil }

    /// Resolves the pool's host, connects, then sends `request`. The request's timeout runs from
    /// now, so a DNS server that never answers cannot hold the request past it.
    func open(sending request: HTTPClientRequest, completion: @escaping Completion) {
        current = (request, completion)
        startTimer(for: request)
        let endpoint = pool.endpoint
        // Strong capture: the lookup ends either by calling back or by `close()` cancelling it, which
        // drops this closure.
        lookup = AddressLookup.start(loop: pool.loop, host: endpoint.host, port: endpoint.port) { [self] result in
            lookup = nil
            guard !closed else { return }
            switch result {
            case .success(let addresses): connect(addresses[...])
            case .failure(let failure): fail(.resolveFailed(host: failure.host, reason: failure.reason))
            }
        }
    }

    private func connect(_ addresses: ArraySlice<SocketAddress>) {
        guard !closed, let address = addresses.first else { return }
        tcp.connect(to: address) { [self] error in
            guard !closed else { return }
            if let error {
                // Try the next address of the name before giving up.
                if addresses.count > 1 { return connect(addresses.dropFirst()) }
                let failure: HTTPClientError =
                    error.code == UVError.connectionRefused
                    ? .connectionRefused(address: address.text) : .connectFailed(address: address.text, reason: error.message)
                return fail(failure)
            }
            isConnected = true
            tcp.setNoDelay()
            tcp.startReading()
            if let current { tcp.write(current.request.encoded()) }
        }
    }

    /// Sends on this (idle, connected) connection.
    func send(_ request: HTTPClientRequest, completion: @escaping Completion) {
        current = (request, completion)
        startTimer(for: request)
        parser.nextResponseIsToHEAD = request.method == "HEAD"
        tcp.write(request.encoded())
    }

    private func startTimer(for request: HTTPClientRequest) {
        parser.nextResponseIsToHEAD = request.method == "HEAD"
        receivedBytes = false
        timer.start(after: request.timeout ?? pool.configuration.requestTimeout)
    }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        guard current != nil else {
            // Bytes nobody asked for: the connection is out of step; drop it.
            return close()
        }
        receivedBytes = true
        parser.append(bytes)
        drainParser()
    }

    private func drainParser() {
        do {
            while let event = try parser.next() {
                switch event {
                case .responseHead(let head):
                    // An interim 100 Continue is not the answer; keep waiting.
                    if head.status >= 100 && head.status < 200 { continue }
                    responseHead = head
                case .body(let chunk):
                    if responseHead != nil { responseBody.append(contentsOf: chunk) }
                case .end:
                    guard let head = responseHead else { continue }
                    return complete(head)
                case .requestHead:
                    preconditionFailure("a response parser emitted a request head")
                }
            }
        } catch {
            fail(.badResponse(error.description))
        }
    }

    private func complete(_ head: HTTPResponseHead) {
        guard let current else { return }
        self.current = nil
        timer.stop()
        let response = HTTPClientResponse(head: head, body: responseBody)
        responseHead = nil
        responseBody = []
        completedRequests += 1
        let reusable = head.keepAlive && !current.request.headers.tokens("connection").contains("close") && parser.bufferedByteCount == 0
        if !reusable { close() }
        current.completion(.success(response))
        if reusable { pool.connectionIsIdle(self) }
    }

    private func peerClosed(_ error: UVError) {
        if current != nil, responseHead != nil, error.code == UVError.endOfFile {
            // A body delimited by the connection closing.
            if (try? parser.finish()) == .end, let head = responseHead { return complete(head) }
        }
        if current == nil { return close() }
        let retry = !receivedBytes && completedRequests > 0
        fail(.connectionReset(reason: error.code == UVError.endOfFile ? "closed by the server before the response" : error.message), retryable: retry)
    }

    private func timedOut() {
        guard let current else { return close() }
        fail(.timeout(after: current.request.timeout ?? pool.configuration.requestTimeout))
    }

    /// Fails the request in flight (if any) and closes.
    func fail(_ error: HTTPClientError, retryable: Bool = false) {
        let current = self.current
        self.current = nil
        close()
        guard let current else { return }
        if retryable && current.request.isIdempotent {
            pool.submit(current.request, completion: current.completion)
        } else {
            current.completion(.failure(error))
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        lookup?.cancel()
        lookup = nil
        timer.close()
        tcp.close()
    }
}

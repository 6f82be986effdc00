/// One request/answer exchange over TCP on the loop: resolve the host (`AddressLookup`), connect to
/// each of its addresses in turn, send the request, read until the peer closes. For protocols whose
/// server closes after answering, such as HAProxy's non-interactive runtime API. One deadline covers
/// every step, so a silent peer cannot hold it. Loop-confined.
public final class TCPExchange {
    /// Where the exchange was when it failed, as messages say it.
    public enum Step: String, Sendable {
        case connecting = "connecting to"
        case sending = "sending to"
        case reading = "reading from"
    }

    public enum Failure: Error, Equatable, Sendable {
        /// The host name did not resolve.
        case resolveFailed(reason: String)
        /// A system call failed at `step`; `code` is libuv's (a negated errno).
        case failed(Step, code: Int32)
        /// The deadline passed at `step`.
        case timedOut(Step)
        /// The reply grew past the limit.
        case replyTooLarge(limit: Int)
    }

    public typealias Completion = (Result<[UInt8], Failure>) -> Void

    private let loop: EventLoop
    private let host: String
    private let port: Int
    private let request: [UInt8]
    private let maximumReplyBytes: Int
    private var completion: Completion?
    /// Held until `finish`: nothing else keeps an exchange alive while it waits on libuv.
    private var keptAlive: TCPExchange?
    private var timer: LoopTimer?
    private var lookup: AddressLookup?
    private var tcp: TCPStream?
    private var addresses: ArraySlice<SocketAddress> = []
    private var step = Step.connecting
    private var reply: [UInt8] = []

    /// Starts the exchange; `completion` runs once on the loop with everything the peer sent before
    /// closing, or the failure.
    public static func start(
        loop: EventLoop, host: String, port: Int, request: [UInt8], timeout: Duration, maximumReplyBytes: Int,
        completion: @escaping Completion
    ) {
        loop.assertInEventLoop()
        let exchange = TCPExchange(
            loop: loop, host: host, port: port, request: request, maximumReplyBytes: maximumReplyBytes,
            completion: completion)
        exchange.begin(timeout: timeout)
    }

    private init(
        loop: EventLoop, host: String, port: Int, request: [UInt8], maximumReplyBytes: Int, completion: @escaping Completion
    ) {
        self.loop = loop
        self.host = host
        self.port = port
        self.request = request
        self.maximumReplyBytes = maximumReplyBytes
        self.completion = completion
    }

    private func begin(timeout: Duration) {
        keptAlive = self
        let timer = LoopTimer(loop: loop) { [unowned self] in finish(.failure(.timedOut(step))) }
        self.timer = timer
        timer.start(after: timeout)
        if let address = SocketAddress(numericHost: host, port: port) {
            addresses = [address]
            return connectNext(after: UVError.connectionRefused)
        }
        lookup = AddressLookup.start(loop: loop, host: host, port: port) { [self] result in
            lookup = nil
            switch result {
            case .success(let list):
                addresses = list[...]
                connectNext(after: UVError.connectionRefused)
            case .failure(let failure):
                finish(.failure(.resolveFailed(reason: failure.reason)))
            }
        }
    }

    /// Tries the next address; after the last, fails with the last address's error.
    private func connectNext(after lastError: Int32) {
        guard completion != nil else { return }
        guard let address = addresses.popFirst() else { return finish(.failure(.failed(.connecting, code: lastError))) }
        let tcp: TCPStream
        do {
            tcp = try TCPStream(loop: loop)
        } catch {
            return finish(.failure(.failed(.connecting, code: error.code)))
        }
        self.tcp = tcp
        tcp.onRead = { [unowned self] bytes in received(bytes) }
        tcp.onReadError = { [unowned self] error in
            finish(error.code == UVError.endOfFile ? .success(reply) : .failure(.failed(step, code: error.code)))
        }
        tcp.onWriteError = { [unowned self] error in finish(.failure(.failed(.sending, code: error.code))) }
        tcp.connect(to: address) { [self] error in
            guard completion != nil else { return }
            if let error {
                tcp.close()
                self.tcp = nil
                return connectNext(after: error.code)
            }
            tcp.startReading()
            tcp.write(request)
            // What the kernel did not take yet is still being sent.
            step = tcp.queuedBytes > 0 ? .sending : .reading
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        step = .reading
        reply.append(contentsOf: bytes)
        if reply.count > maximumReplyBytes { finish(.failure(.replyTooLarge(limit: maximumReplyBytes))) }
    }

    private func finish(_ result: Result<[UInt8], Failure>) {
        guard let completion else { return }
        self.completion = nil
        // The last reference may be this one: keep the exchange until this call returns.
        let retained = keptAlive
        keptAlive = nil
        defer { withExtendedLifetime(retained) {} }
        timer?.close()
        timer = nil
        lookup?.cancel()
        lookup = nil
        tcp?.close()
        tcp = nil
        completion(result)
    }
}

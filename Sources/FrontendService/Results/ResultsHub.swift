import HashrCore
import Logging

/// The results side on the event loop: the Redis subscriber on channel `calculation`, and every open
/// `GET /api/results` stream with its timers. What to write to whom is `ResultStreams`' decision; this
/// class only does the I/O. Loop-confined.
final class ResultsHub {
    /// How often results batched since the last flush are written to the streams: short enough that
    /// the page looks live, long enough that thousands of results a second cost 100 writes per client.
    static let flushInterval: Duration = .milliseconds(10)
    /// The kernel's send buffer for a results stream (Linux holds twice this). Without a cap it grows
    /// to about 4 MiB for a tab that stops reading, held on top of `SSE_CLIENT_BUFFER` and filled
    /// before that budget sees any backlog. 128 KiB still covers 20,000 results/s to a browser
    /// 100 ms away.
    static let resultStreamKernelBuffer = 128 * 1024
    /// The head of every results stream.
    static let resultStreamHeaders = HTTPHeaders(ServerSentEvents.responseHeaders.map { ($0.name, $0.value) })
    /// Seconds a refused results client is told to wait: the page's own backoff starts near this.
    static let resultStreamRetryAfter = 5

    private let loop: EventLoop
    private let configuration: FrontendConfiguration
    private let redisConfiguration: RedisConfiguration
    private let logger: Logger
    private let instruments: FrontendMetrics
    /// Each result counts in the generator's statistics.
    private let generator: GeneratorDriver
    private var streams: ResultStreams<Int>
    /// Per-address caps on open result streams (its rate-change half is the routes').
    private(set) var clientLimits: ClientLimits
    /// The client address of each open stream, to give its slot back when it closes.
    private var streamAddresses: [Int: String] = [:]
    /// The open `GET /api/results` responses, by the id `streams` knows them by.
    private var openStreams: [Int: HTTPResponseStream] = [:]
    private var nextStreamID = 0
    /// True once the service began to stop: no new streams.
    private(set) var isStopped = false
    // Lazy only so that their actions can refer to this hub.
    private lazy var subscriber = makeSubscriber()
    private lazy var flushTimer = LoopTimer(loop: loop) { [unowned self] in flush() }
    private lazy var keepAliveTimer = LoopTimer(loop: loop) { [unowned self] in flush(keepAlive: true) }

    init(
        loop: EventLoop, configuration: FrontendConfiguration, redisConfiguration: RedisConfiguration,
        logger: Logger, instruments: FrontendMetrics, generator: GeneratorDriver
    ) {
        self.loop = loop
        self.configuration = configuration
        self.redisConfiguration = redisConfiguration
        self.logger = logger
        self.instruments = instruments
        self.generator = generator
        streams = ResultStreams(configuration: configuration)
        clientLimits = ClientLimits(
            maxStreamsPerAddress: configuration.sseMaxClientsPerAddress,
            rateChangesPerMinute: configuration.rateChangesPerMinute)
    }

    private func makeSubscriber() -> RedisSubscriber {
        let subscriber = RedisSubscriber(
            loop: loop, configuration: redisConfiguration, channels: [FrontendService.channel], logger: logger
        ) { [unowned self] message in received(message) }
        subscriber.onStateChange = { [unowned self] state in
            instruments.redisConnected.record(state == .connected ? 1 : 0)
        }
        return subscriber
    }

    /// Subscribes, and keeps idle streams alive.
    func start() {
        subscriber.connect()
        keepAliveTimer.start(after: configuration.sseKeepAlive, repeating: configuration.sseKeepAlive)
    }

    /// True when subscribed to the results channel.
    var isSubscribed: Bool { subscriber.isConnected }

    /// Open `GET /api/results` streams.
    var streamCount: Int { openStreams.count }

    /// One message on channel `calculation`: counted, and framed once for every open stream.
    private func received(_ message: RedisSubscriber.Message) {
        let isBurst = message.payload.starts(with: GeneratorStatistics.burstPrefix.utf8)
        generator.recordResult(isBurst: isBurst, now: FrontendService.now())
        instruments.resultsReceived.increment()
        if isBurst { instruments.burstResultsReceived.increment() }
        streams.publish(message.payload)
    }

    /// `GET /api/results`: a Server-Sent Events stream of every result from now on.
    func openStream(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard !isStopped else { return responder.respond(.error(503, "shutting down")) }
        // HEAD is served by this GET route: answer the head alone instead of an endless stream.
        guard request.method != "HEAD" else {
            return responder.respond(HTTPResponse(status: 200, headers: Self.resultStreamHeaders))
        }
        let address = request.client
        guard clientLimits.openStream(from: address) else {
            instruments.resultStreamsRefused.increment()
            return responder.respond(
                .error(
                    429, "too many result streams open from one address (\(clientLimits.maxStreamsPerAddress))",
                    retryAfter: Self.resultStreamRetryAfter))
        }
        let id = nextStreamID
        nextStreamID += 1
        guard let opening = streams.open(id) else {
            clientLimits.closeStream(from: address)
            instruments.resultStreamsRefused.increment()
            return responder.respond(
                .error(
                    503, "too many result streams open (\(configuration.sseMaxClients)); try again later",
                    retryAfter: Self.resultStreamRetryAfter))
        }
        guard let stream = responder.startStream(status: 200, headers: Self.resultStreamHeaders) else {
            streams.close(id)
            clientLimits.closeStream(from: address)
            return
        }
        streamAddresses[id] = address
        stream.limitKernelSendBuffer(to: Self.resultStreamKernelBuffer)
        openStreams[id] = stream
        stream.onClose = { [unowned self] in streamClosed(id) }
        if openStreams.count == 1 {
            flushTimer.start(after: Self.flushInterval, repeating: Self.flushInterval)
        }
        instruments.resultStreams.record(openStreams.count)
        stream.write(opening)
    }

    private func streamClosed(_ id: Int) {
        streams.close(id)
        if let address = streamAddresses.removeValue(forKey: id) { clientLimits.closeStream(from: address) }
        guard openStreams.removeValue(forKey: id) != nil else { return }
        instruments.resultStreams.record(openStreams.count)
        // Nobody to write to: no need to wake up a hundred times a second.
        if openStreams.isEmpty { flushTimer.stop() }
    }

    /// Writes the results batched since the last flush to every stream, one write each, and cuts off
    /// the streams too far behind. With `keepAlive`, a comment goes out too, so idle streams carry a
    /// few bytes now and then and proxies do not time them out.
    private func flush(keepAlive: Bool = false) {
        // What each socket took since the last flush frees that client's budget. The socket's queue
        // also holds chunk framing `streams` never saw, so this errs towards a fuller buffer.
        for (id, stream) in openStreams {
            let tracked = streams.queuedBytes(of: id) ?? 0
            let queued = stream.queuedBytes
            if tracked > queued { streams.written(tracked - queued, to: id) }
        }
        let flush = keepAlive ? streams.flushWithKeepAlive() : streams.flush()
        for id in flush.disconnect {
            guard let stream = openStreams[id] else { continue }
            instruments.resultStreamsCutOff.increment()
            logger.warning(
                "cutting off a results stream that stopped reading: more than \(streams.clientBufferLimit) bytes waiting"
            )
            stream.abort()
        }
        guard !flush.bytes.isEmpty else { return }
        for id in flush.writeTo {
            openStreams[id]?.write(flush.bytes)
        }
    }

    /// Refuses new streams and writes the results already received, so they still reach the page
    /// before the server ends its stream.
    func stop() {
        isStopped = true
        flush()
        flushTimer.stop()
        keepAliveTimer.stop()
    }

    /// Closes the timers and the subscriber.
    func close() {
        flushTimer.close()
        keepAliveTimer.close()
        subscriber.close()
    }
}

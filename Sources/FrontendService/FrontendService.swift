import HashrCore
import Logging

/// The frontend: serves the String Hashr page, generates requests to the processor at the target
/// rate, and streams every result published on Redis channel `calculation` to the page over
/// Server-Sent Events. Loop-confined.
///
/// The logic lives in pure types (`LoadGenerator`, `ResultStreams`, `PageAssets`); this class and its
/// extensions are the thin driver: timers, sockets and Redis.
/// - `FrontendService+Generator.swift`: the tick timer, sending, completions, rate changes.
/// - `FrontendService+Results.swift`: the Redis subscriber and the result streams.
/// - `FrontendService+Routes.swift`: the HTTP API and the page.
public final class FrontendService: RunningService {
    /// The Redis channel the workers publish to.
    public static let channel = "calculation"
    /// How often results batched since the last flush are written to the streams: short enough that
    /// the page looks live, long enough that thousands of results a second cost 100 writes per client.
    static let flushInterval: Duration = .milliseconds(10)
    /// The kernel's send buffer for a results stream (Linux holds twice this). Without a cap it grows
    /// to about 4 MiB for a tab that stops reading, held on top of `SSE_CLIENT_BUFFER` and filled
    /// before that budget sees any backlog. 128 KiB still covers 20,000 results/s to a browser
    /// 100 ms away.
    static let resultStreamKernelBuffer = 128 * 1024

    let loop: EventLoop
    let configuration: FrontendConfiguration
    let logger: Logger
    public let metrics = ServiceMetrics()
    var instruments: FrontendMetrics
    let assets: PageAssets
    let client: HTTPClient
    var generator: LoadGenerator
    var streams: ResultStreams<Int>
    /// Per-address caps on result streams and rate changes.
    var clientLimits: ClientLimits
    /// The client address of each open stream, to give its slot back when it closes.
    var streamAddresses: [Int: String] = [:]
    /// The open `GET /api/results` responses, by the id `streams` knows them by.
    var openStreams: [Int: HTTPResponseStream] = [:]
    var nextStreamID = 0
    var subscriber: RedisSubscriber!
    var server: HTTPServer!
    var tickTimer: LoopTimer!
    var flushTimer: LoopTimer!
    var keepAliveTimer: LoopTimer!
    /// When a failed request was last logged: at thousands a second, one line a second is plenty.
    var lastFailureLog: Int64?
    var isShuttingDown = false
    /// Runs once the last request in flight has been answered (during shutdown).
    var inFlightDrained: (() -> Void)?
    var drainTimer: LoopTimer?
    private var shutdownCompletions: [() -> Void] = []
    private var shutdownFinished = false

    /// Starts listening, subscribing and (with a non-zero `INITIAL_RATE`) generating. Throws when the
    /// port cannot be bound or the page's files are missing.
    ///
    /// - Parameters:
    ///   - redisConfiguration: overrides the Redis timeouts and backoff (tests make them short).
    ///   - assets: the page to serve; the bundled one when nil.
    public init(
        loop: EventLoop, configuration: FrontendConfiguration, logger: Logger,
        redisConfiguration: RedisConfiguration? = nil, assets: PageAssets? = nil
    ) throws {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        self.assets = try assets ?? PageAssets.bundled()
        instruments = FrontendMetrics(metrics)
        generator = LoadGenerator(configuration: configuration, now: Self.now())
        streams = ResultStreams(configuration: configuration)
        clientLimits = ClientLimits(
            maxStreamsPerAddress: configuration.sseMaxClientsPerAddress,
            rateChangesPerMinute: configuration.rateChangesPerMinute)

        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.maxConnectionsPerHost = configuration.processorConnections
        clientConfiguration.requestTimeout = configuration.requestTimeout
        client = HTTPClient(loop: loop, configuration: clientConfiguration)

        subscriber = RedisSubscriber(
            loop: loop, configuration: redisConfiguration ?? RedisConfiguration(url: configuration.redis),
            channels: [Self.channel], logger: logger
        ) { [unowned self] message in received(message) }
        subscriber.onStateChange = { [unowned self] state in
            instruments.redisConnected.record(state == .connected ? 1 : 0)
        }

        tickTimer = LoopTimer(loop: loop) {}
        tickTimer.setAction { [unowned self] in tick() }
        flushTimer = LoopTimer(loop: loop) {}
        flushTimer.setAction { [unowned self] in flushResults() }
        keepAliveTimer = LoopTimer(loop: loop) {}
        keepAliveTimer.setAction { [unowned self] in flushResults(keepAlive: true) }

        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.port = configuration.port
        serverConfiguration.shutdownGracePeriod = configuration.shutdownGrace
        // `ResultStreams` cuts a slow results client off at `SSE_CLIENT_BUFFER`; the server's own limit
        // is only the backstop behind it, so it must not trip first.
        serverConfiguration.maxQueuedStreamBytes = configuration.sseClientBuffer + 64 * 1024
        serverConfiguration.defaultHeaders = SecurityHeaders.all
        server = HTTPServer(
            loop: loop, configuration: serverConfiguration, router: makeRouter(), metrics: metrics, logger: logger)

        do {
            try server.start()
        } catch {
            closeHandles()
            throw error
        }
        subscriber.connect()
        keepAliveTimer.start(after: configuration.sseKeepAlive, repeating: configuration.sseKeepAlive)
        instruments.targetRate.record(generator.rate)
        scheduleTick(now: Self.now())
        logger.info(
            "frontend ready: processor \(configuration.processor), results from \(configuration.redis) channel \(Self.channel), rate \(RateBody.formatted(generator.rate))/s, rate control \(rateControl)"
        )
    }

    /// The bound port.
    public var port: Int { server.port }

    /// True when subscribed to the results channel.
    public var isSubscribed: Bool { subscriber.isConnected }

    /// The `GET /api/stats` view now, with whether results can arrive at all.
    public var snapshot: StatsSnapshot {
        var snapshot = generator.snapshot(now: Self.now())
        snapshot.redisConnected = subscriber.isConnected
        snapshot.rateControl = rateControl
        return snapshot
    }

    /// `token` when `PUT /api/rate` needs the key, `open` when it does not.
    var rateControl: String { configuration.rateControlToken == nil ? "open" : "token" }

    /// Open `GET /api/results` streams.
    public var resultStreamCount: Int { openStreams.count }

    /// Stops the generator, ends the result streams, lets requests in flight (to the processor and
    /// from clients) finish within the grace period, then closes the client and the subscriber.
    public func shutdown(completion: @escaping () -> Void) {
        if shutdownFinished { return completion() }
        shutdownCompletions.append(completion)
        guard !isShuttingDown else { return }
        isShuttingDown = true
        logger.info(
            "shutting down: \(generator.statistics.inFlight) request(s) in flight, \(openStreams.count) result stream(s)"
        )
        tickTimer.stop()
        // Results already received still reach the page before its stream ends.
        flushResults()
        flushTimer.stop()
        keepAliveTimer.stop()

        var remaining = 2
        let partDone = { [unowned self] in
            remaining -= 1
            if remaining == 0 { finishShutdown() }
        }
        server.shutdown(completion: partDone)
        whenInFlightDrained { [unowned self] in
            client.close()
            partDone()
        }
    }

    private func finishShutdown() {
        closeHandles()
        shutdownFinished = true
        let completions = shutdownCompletions
        shutdownCompletions = []
        logger.info("frontend stopped: \(generator.statistics.sent) sent, \(generator.statistics.succeeded) succeeded")
        for completion in completions { completion() }
    }

    private func closeHandles() {
        tickTimer.close()
        flushTimer.close()
        keepAliveTimer.close()
        drainTimer?.close()
        drainTimer = nil
        client.close()
        subscriber.close()
    }

    /// Nanoseconds of the monotonic clock the generator's schedule and statistics use.
    static func now() -> Int64 {
        Int64(EventLoop.monotonicNanoseconds())
    }
}

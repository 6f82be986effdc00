import HashrCore
import Logging

/// The frontend: serves the String Hashr page, generates requests to the processor at the target
/// rate, and streams every result published on Redis channel `calculation` to the page over
/// Server-Sent Events. Loop-confined.
///
/// The logic lives in pure types (`LoadGenerator`, `ResultStreams`, `PageAssets`); three parts drive
/// them, each owning its timers and handles, and this class starts them and stops them together:
/// - `GeneratorDriver`: the tick timer, sending, completions, rate changes.
/// - `ResultsHub`: the Redis subscriber and the result streams.
/// - `FrontendRoutes`: the HTTP API and the page.
public final class FrontendService: RunningService {
    /// The Redis channel the workers publish to.
    public static let channel = "calculation"

    private let logger: Logger
    public let metrics = ServiceMetrics()
    let generator: GeneratorDriver
    let results: ResultsHub
    private let routes: FrontendRoutes
    private let server: HTTPServer
    /// Two parts: the server's connections closed, and the generator's requests in flight answered.
    private let shutdownBarrier = ShutdownBarrier(parts: 2)
    private var isShuttingDown = false

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
        self.logger = logger
        let assets = try assets ?? PageAssets.bundled()
        let instruments = FrontendMetrics(metrics)
        generator = GeneratorDriver(loop: loop, configuration: configuration, logger: logger, instruments: instruments)
        results = ResultsHub(
            loop: loop, configuration: configuration,
            redisConfiguration: redisConfiguration ?? RedisConfiguration(url: configuration.redis), logger: logger,
            instruments: instruments, generator: generator)
        routes = FrontendRoutes(
            configuration: configuration, metrics: metrics, instruments: instruments, assets: assets,
            generator: generator, results: results)

        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.port = configuration.port
        serverConfiguration.shutdownGracePeriod = configuration.shutdownGrace
        // `ResultStreams` cuts a slow results client off at `SSE_CLIENT_BUFFER`; the server's own limit
        // is only the backstop behind it, so it must not trip first.
        serverConfiguration.maxQueuedStreamBytes = configuration.sseClientBuffer + 64 * 1024
        serverConfiguration.defaultHeaders = SecurityHeaders.all
        server = HTTPServer(
            loop: loop, configuration: serverConfiguration, router: routes.makeRouter(), metrics: metrics,
            logger: logger)

        do {
            try server.start()
        } catch {
            closeHandles()
            throw error
        }
        results.start()
        generator.start()
        logger.info(
            "frontend ready: processor \(configuration.processor), results from \(configuration.redis) channel \(Self.channel), rate \(RateBody.formatted(generator.rate))/s, rate control \(configuration.rateControl)"
        )
    }

    /// The bound port.
    public var port: Int { server.port }

    /// True when subscribed to the results channel.
    public var isSubscribed: Bool { results.isSubscribed }

    /// The `GET /api/stats` view now, with whether results can arrive at all.
    public var snapshot: StatsSnapshot { routes.snapshot }

    /// Open `GET /api/results` streams.
    public var resultStreamCount: Int { results.streamCount }

    /// Stops the generator, ends the result streams, lets requests in flight (to the processor and
    /// from clients) finish within the grace period, then closes the client and the subscriber.
    public func shutdown(completion: @escaping () -> Void) {
        if !isShuttingDown {
            isShuttingDown = true
            // First in line, so every caller's completion finds the handles closed.
            shutdownBarrier.whenDone { [unowned self] in finishShutdown() }
            logger.info(
                "shutting down: \(generator.statistics.inFlight) request(s) in flight, \(results.streamCount) result stream(s)"
            )
            // Results already received still reach the page before the server ends its stream.
            results.stop()
            generator.stop { [unowned self] in shutdownBarrier.partDone() }
            server.shutdown { [unowned self] in shutdownBarrier.partDone() }
        }
        shutdownBarrier.whenDone(completion)
    }

    private func finishShutdown() {
        closeHandles()
        let statistics = generator.statistics
        logger.info("frontend stopped: \(statistics.sent) sent, \(statistics.succeeded) succeeded")
    }

    private func closeHandles() {
        generator.close()
        results.close()
    }

    /// Nanoseconds of the monotonic clock the generator's schedule and statistics use.
    static func now() -> Int64 {
        Int64(EventLoop.monotonicNanoseconds())
    }
}

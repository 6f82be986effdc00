import HashrCore
import HashrTLS
import Logging

/// istiowatcher on the event loop: a poll timer, the Prometheus query, router calls on the thread
/// pool, and `/_healthz` and `/metrics`. All decisions are `WatcherController`'s; this type only
/// performs the actions it returns. Loop-confined.
public final class WatcherService: RunningService {
    private let loop: EventLoop
    private let configuration: WatcherConfiguration
    private let logger: Logger
    public let metrics = ServiceMetrics()
    private let router: any WeightRouter
    private var controller: WatcherController
    private let observer: PrometheusObserver
    private let watcherMetrics: WatcherMetrics
    private var server: HTTPServer!
    private var pollTimer: LoopTimer?
    private var routerCallsInFlight = 0
    private var stopping = false
    /// Two parts: the server closed, and the router calls under way finished.
    private let shutdownBarrier = ShutdownBarrier(parts: 2)

    /// Starts serving and polling. Throws when the port cannot be bound, or when TLS is needed and
    /// OpenSSL cannot be loaded.
    public init(loop: EventLoop, configuration: WatcherConfiguration, logger: Logger) throws {
        if configuration.needsTLS { try OpenSSLLibrary.load() }
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        router = configuration.router.makeRouter()
        controller = WatcherController(
            policy: configuration.policy, dryRun: configuration.dryRun, routerTarget: router.target)
        observer = PrometheusObserver(loop: loop, query: configuration.query, timeout: configuration.queryTimeout)
        watcherMetrics = WatcherMetrics(metrics: metrics)

        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.port = configuration.port
        var router = HTTPRouter()
        router.addHealthAndMetrics(metrics: metrics) { [unowned self] in
            controller.isReady ? (true, "") : (false, "the current route has not been read yet")
        }
        server = HTTPServer(loop: loop, configuration: serverConfiguration, router: router, metrics: metrics, logger: logger)
        do {
            try server.start()
        } catch {
            observer.close()
            throw error
        }
        logger.info("watching \(configuration.query.serverURL) every \(configuration.pollInterval.shortText): \(configuration.query.expression)")
        perform(controller.start(at: .now))
        let timer = LoopTimer(loop: loop) { [unowned self] in perform(controller.tick(at: .now)) }
        timer.start(after: configuration.pollInterval, repeating: configuration.pollInterval)
        pollTimer = timer
    }

    /// The bound port.
    public var port: Int { server.port }

    /// What the controller believes the burst weight is (nil until read).
    public var burstWeight: Int? { controller.statistics.burstWeight }

    public var isReady: Bool { controller.isReady }

    private func perform(_ actions: [WatcherAction]) {
        for action in actions {
            switch action {
            case .query:
                guard !stopping else { continue }
                observer.observe { [self] observation in perform(controller.queryFinished(observation, at: .now)) }
            case .readRouter:
                guard !stopping else { continue }
                callRouter({ [router] in Result { () throws(RouterError) in try router.readBurstWeight() } }) { [self] result in
                    perform(controller.routerRead(result, at: .now))
                }
            case .applyRouter(let weight, let reason):
                guard !stopping else { continue }
                callRouter({ [router] in
                    Result { () throws(RouterError) in try router.apply(burstWeight: weight, reason: reason) }
                }) { [self] result in
                    perform(controller.changeFinished(result, at: .now))
                }
            case .log(let level, let line):
                logger.log(level: Self.logLevel(level), "\(line)")
            }
        }
        watcherMetrics.update(from: controller.statistics, isReady: controller.isReady)
    }

    /// Router calls block (HTTPS, a TCP exchange, a child process), so they run on the thread pool.
    private func callRouter<Value: Sendable>(
        _ call: @escaping @Sendable () -> Result<Value, RouterError>, then: @escaping (Result<Value, RouterError>) -> Void
    ) {
        routerCallsInFlight += 1
        loop.runBlocking(call) { [self] result in
            routerCallsInFlight -= 1
            if stopping {
                finishShutdownIfDone()
            } else {
                then(result)
            }
        }
    }

    private static func logLevel(_ level: WatcherAction.Level) -> Logger.Level {
        switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }

    /// Stops polling; a router call under way finishes (within ROUTER_TIMEOUT) before completion.
    public func shutdown(completion: @escaping () -> Void) {
        shutdownBarrier.whenDone(completion)
        guard !stopping else { return }
        stopping = true
        pollTimer?.close()
        pollTimer = nil
        observer.close()
        server.shutdown { [self] in shutdownBarrier.partDone() }
        finishShutdownIfDone()
    }

    /// Once stopping, calls only finish (no new ones start), so the count reaches zero once.
    private func finishShutdownIfDone() {
        guard routerCallsInFlight == 0 else { return }
        shutdownBarrier.partDone()
    }
}

import HashrCore
import Logging

/// The generator on the event loop: one timer that sleeps until the next request is due, sending,
/// completions, rate changes, and the wait for the requests in flight when the service stops. Every
/// decision is `LoadGenerator`'s; this class only does the I/O. Loop-confined.
final class GeneratorDriver {
    /// Every generated request carries this.
    static let requestHeaders = HTTPHeaders([("Content-Type", "application/json")])

    private let loop: EventLoop
    private let configuration: FrontendConfiguration
    private let logger: Logger
    private var instruments: FrontendMetrics
    private let client: HTTPClient
    /// Every generated request but its body, its head encoded once: only the body and its
    /// Content-Length change from one request to the next.
    private let requestTemplate: HTTPClientRequest
    private var generator: LoadGenerator
    /// True once the service began to stop: no more requests, no more rate changes.
    private(set) var isStopped = false
    /// Lazy only so that its action can refer to this driver; made on the first `scheduleTick`.
    private lazy var tickTimer = LoopTimer(loop: loop) { [unowned self] in tick() }
    /// When a failed request was last logged: at thousands a second, one line a second is plenty.
    private var lastFailureLog: Int64?
    /// Runs once the last request in flight has been answered (while stopping).
    private var inFlightDrained: (() -> Void)?
    private var drainTimer: LoopTimer?

    init(loop: EventLoop, configuration: FrontendConfiguration, logger: Logger, instruments: FrontendMetrics) {
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        self.instruments = instruments
        generator = LoadGenerator(configuration: configuration, now: FrontendService.now())
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.maxConnectionsPerHost = configuration.processorConnections
        clientConfiguration.requestTimeout = configuration.requestTimeout
        client = HTTPClient(loop: loop, configuration: clientConfiguration)
        var template = HTTPClientRequest(
            method: "POST", endpoint: configuration.processor, path: "/", headers: Self.requestHeaders,
            timeout: configuration.requestTimeout)
        template.needsResponseHeaders = false  // only the status counts
        template.encodeHeadOnce()
        requestTemplate = template
    }

    /// Starts generating at the initial rate (nothing when it is 0).
    func start() {
        instruments.targetRate.record(generator.rate)
        scheduleTick(now: FrontendService.now())
    }

    /// The target rate in force.
    var rate: Double { generator.rate }

    var statistics: GeneratorStatistics { generator.statistics }

    /// The generator's part of the `GET /api/stats` view at `now`.
    func snapshot(now: Int64) -> StatsSnapshot { generator.snapshot(now: now) }

    /// Counts a message from Redis channel `calculation`, already classified.
    func recordResult(isBurst: Bool, now: Int64) { generator.recordResult(isBurst: isBurst, now: now) }

    /// Sends what fell due, then sleeps until the next request is due.
    private func tick() {
        guard !isStopped else { return }
        let now = FrontendService.now()
        sendDue(now: now)
        scheduleTick(now: now)
    }

    /// Advances the schedule to `now`: sends every request due (and still on time) and counts drops.
    private func sendDue(now: Int64) {
        let planned = generator.tick(now: now)
        instruments.mirrorDrops(generator.statistics.droppedByReason, total: generator.statistics.dropped)
        guard !planned.isEmpty else { return }
        instruments.sent.increment(by: planned.count)
        for request in planned { send(request) }
        instruments.inFlight.record(generator.inFlight)
    }

    /// Arms the one timer for the next due request. Due times are absolute (`t0 + i/rate`), so timer
    /// jitter never accumulates into the rate; at high rates this is a tick every `TICK_INTERVAL`
    /// sending a batch, at low rates one wake-up per request instead of a thousand idle ticks a second.
    private func scheduleTick(now: Int64) {
        guard !isStopped, let due = generator.nextDue else { return tickTimer.stop() }
        let wait = Duration.nanoseconds(max(0, due - now))
        tickTimer.start(after: max(configuration.tickInterval, wait))
    }

    private func send(_ planned: PlannedRequest) {
        var request = requestTemplate
        request.body = planned.body
        let intendedSendTime = planned.intendedSendTime
        client.execute(request) { [unowned self] result in completed(result, intendedSendTime: intendedSendTime) }
    }

    /// Exactly one call per request sent, so the in-flight count (sent minus answered) stays exact.
    private func completed(_ result: Result<HTTPClientResponse, HTTPClientError>, intendedSendTime: Int64) {
        let now = FrontendService.now()
        switch result {
        case .success(let response):
            if let reason = FailureReason(status: response.status) {
                generator.recordFailure(reason, now: now)
                instruments.recordFailure(reason)
                logFailure(now: now, reason: reason, "the processor answered \(response.status)")
            } else {
                generator.recordSuccess(intendedSendTime: intendedSendTime, now: now)
                instruments.succeeded.increment()
                instruments.latency.recordNanoseconds(now - intendedSendTime)
            }
        case .failure(let error):
            let reason = FailureReason(error.kind)
            generator.recordFailure(reason, now: now)
            instruments.recordFailure(reason)
            logFailure(now: now, reason: reason, error.description)
        }
        let inFlight = generator.inFlight
        instruments.inFlight.record(inFlight)
        if inFlight == 0, let drained = inFlightDrained {
            inFlightDrained = nil
            drained()
        }
    }

    /// Logs at most one failure a second: a worker that is down fails every request.
    private func logFailure(now: Int64, reason: FailureReason, _ detail: String) {
        if let last = lastFailureLog, now - last < 1_000_000_000 { return }
        lastFailureLog = now
        let failed = generator.statistics.failed
        logger.warning(
            "request to \(configuration.processor) failed (\(reason.rawValue)): \(detail); \(failed) failed so far")
    }

    /// `PUT /api/rate`: validates the body and sets the one global rate; the last writer wins.
    func setRate(fromBody body: [UInt8]) throws(RateBodyError) -> Double {
        let now = FrontendService.now()
        let previous = generator.rate
        // Account for what the old schedule made due since the last tick before it is replaced.
        sendDue(now: now)
        let rate = try generator.setRate(fromBody: body, now: now)
        instruments.targetRate.record(rate)
        if rate != previous {
            logger.info("target rate \(RateBody.formatted(previous))/s -> \(RateBody.formatted(rate))/s")
        }
        // A new schedule's request 0 is due now: send it without waiting for a tick.
        sendDue(now: now)
        scheduleTick(now: now)
        return rate
    }

    /// Stops generating. `completion` runs, with the client closed, once no request is in flight or
    /// after the grace period, whichever is first; closing the client fails whatever is left.
    func stop(completion: @escaping () -> Void) {
        isStopped = true
        tickTimer.stop()
        guard generator.inFlight > 0 else {
            client.close()
            return completion()
        }
        inFlightDrained = { [unowned self] in
            client.close()
            completion()
        }
        let timer = LoopTimer(loop: loop) { [unowned self] in gracePeriodOver() }
        timer.start(after: configuration.shutdownGrace)
        drainTimer = timer
    }

    private func gracePeriodOver() {
        guard let drained = inFlightDrained else { return }
        inFlightDrained = nil
        logger.warning("grace period over: \(generator.inFlight) request(s) still in flight")
        drained()
    }

    /// Closes the timers and the client.
    func close() {
        tickTimer.close()
        drainTimer?.close()
        drainTimer = nil
        client.close()
    }
}

import HashrCore

/// The frontend's request generator without its I/O: schedule, bodies and statistics in one value.
///
/// The driver on the event loop stays a few lines long:
/// - a repeating timer (`TICK_INTERVAL`) calls ``tick(now:)`` and POSTs each returned body to
///   `PROCESSOR_URL`;
/// - each completion calls ``recordResponse(status:intendedSendTime:now:)`` or
///   ``recordFailure(_:now:)``; exactly one of them per request sent, or `inFlight` drifts;
/// - `PUT /api/rate` calls ``setRate(fromBody:now:)``, `GET /api/stats` ``snapshot(now:)``;
/// - every message on Redis channel `calculation` calls ``recordResult(_:now:)``.
///
/// Times are nanoseconds of one monotonic clock (`uv_hrtime()`).
public struct LoadGenerator: Sendable {
    /// Requests sent and not yet answered may not exceed this (`MAX_IN_FLIGHT`).
    public let maxInFlight: Int
    /// The highest rate accepted (`MAX_RATE`).
    public let maxRate: Double

    public private(set) var scheduler: RateScheduler
    public private(set) var statistics: GeneratorStatistics
    private var bodies: RequestBodyGenerator<FastRandom>

    /// A stopped generator (or one running at `configuration.initialRate`) starting at `now`.
    ///
    /// - Parameter seed: fixes the random bodies, for tests; nil seeds from the system.
    public init(
        configuration: FrontendConfiguration, now: Int64,
        statistics statisticsConfiguration: GeneratorStatistics.Configuration = .init(), seed: UInt64? = nil
    ) {
        maxInFlight = configuration.maxInFlight
        maxRate = configuration.maxRate
        scheduler = RateScheduler(configuration: configuration.scheduler)
        statistics = GeneratorStatistics(now: now, configuration: statisticsConfiguration)
        bodies = RequestBodyGenerator(source: seed.map(FastRandom.init(seed:)) ?? FastRandom())
        scheduler.setRate(min(max(configuration.initialRate, 0), maxRate), now: now)
    }

    /// The target rate in force, requests per second.
    public var rate: Double { scheduler.rate }

    /// Sets the target rate from a `PUT /api/rate` body; the last call wins.
    ///
    /// - Returns: the rate now in force, for the answer `{"rps": rate}`.
    /// - Throws: `RateBodyError` for a bad body; the rate in force is then unchanged.
    @discardableResult
    public mutating func setRate(fromBody body: some Collection<UInt8>, now: Int64) throws(RateBodyError) -> Double {
        let rps = try RateBody.parse(body, maximum: maxRate)
        scheduler.setRate(rps, now: now)
        return scheduler.rate
    }

    /// Sets a rate already known to be valid (`0...maxRate`, finite).
    public mutating func setRate(_ rps: Double, now: Int64) {
        precondition(rps.isFinite && rps >= 0 && rps <= maxRate, "validate the rate with RateBody first")
        scheduler.setRate(rps, now: now)
    }

    /// Advances the schedule to `now`: counts what is dropped and sent, and returns the requests to send.
    public mutating func tick(now: Int64) -> [PlannedRequest] {
        let decision = scheduler.tick(now: now, inFlight: statistics.inFlight, maxInFlight: maxInFlight)
        statistics.recordDrops(of: decision, now: now)
        guard !decision.sendTimes.isEmpty else { return [] }
        statistics.recordSent(decision.sendTimes.count, now: now)
        return decision.sendTimes.map { PlannedRequest(intendedSendTime: $0, body: bodies.nextBody()) }
    }

    /// When the next request is due, for a driver that wants to sleep through idle periods; nil when
    /// stopped.
    public var nextDue: Int64? {
        let due = scheduler.dueTime(ofRequest: scheduler.nextIndex)
        return due == .max ? nil : due
    }

    /// Records the processor's answer to a request: 2xx succeeds, anything else fails by its status.
    public mutating func recordResponse(status: Int, intendedSendTime: Int64, now: Int64) {
        if let reason = FailureReason(status: status) {
            statistics.recordFailure(reason, now: now)
        } else {
            statistics.recordSuccess(intendedSendTime: intendedSendTime, now: now)
        }
    }

    /// Records a 2xx answer to the request due at `intendedSendTime`.
    public mutating func recordSuccess(intendedSendTime: Int64, now: Int64) {
        statistics.recordSuccess(intendedSendTime: intendedSendTime, now: now)
    }

    /// Requests sent and not yet answered.
    public var inFlight: Int { statistics.inFlight }

    /// Records a request that got no answer.
    public mutating func recordFailure(_ reason: FailureReason, now: Int64) {
        statistics.recordFailure(reason, now: now)
    }

    /// Counts a message from Redis channel `calculation`.
    public mutating func recordResult(_ message: some Collection<UInt8>, now: Int64) {
        statistics.recordResult(message, now: now)
    }

    /// Counts a message from Redis channel `calculation` already classified (the driver looked at it
    /// for its own metrics).
    public mutating func recordResult(isBurst: Bool, now: Int64) {
        statistics.recordResult(isBurst: isBurst, now: now)
    }

    /// The `GET /api/stats` view at `now`.
    public func snapshot(now: Int64) -> StatsSnapshot {
        statistics.snapshot(now: now, targetRate: scheduler.rate)
    }
}

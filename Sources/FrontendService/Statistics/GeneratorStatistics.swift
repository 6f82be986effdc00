/// Everything the generator and the results stream count, for `GET /api/stats` and `/metrics`.
///
/// A pure value: the driver reports events with the time they happened (nanoseconds of the same
/// monotonic clock the `RateScheduler` uses) and asks for a ``StatsSnapshot`` when someone looks.
/// Counters are totals since start; rates and shares come from per-second buckets over the last few
/// seconds; latency goes into HDR histograms (see ``recordSuccess(intendedSendTime:now:)``).
public struct GeneratorStatistics: Sendable {
    /// Window lengths.
    public struct Configuration: Sendable, Equatable {
        /// Whole seconds over which the achieved send rate and the result rate are averaged. Default 3.
        public var rateWindowSeconds: Int
        /// Seconds over which the primary/burst share is computed, the current one included. Default 5.
        public var shareWindowSeconds: Int
        /// Whole seconds of per-second history in the snapshot, for the chart. Default 60.
        public var historySeconds: Int
        /// Length of one latency interval; the recent latency covers one to two of them. Default 5 s.
        public var latencyIntervalSeconds: Int

        public init(
            rateWindowSeconds: Int = 3, shareWindowSeconds: Int = 5, historySeconds: Int = 60,
            latencyIntervalSeconds: Int = 5
        ) {
            precondition(rateWindowSeconds > 0 && shareWindowSeconds > 0 && historySeconds > 0)
            precondition(latencyIntervalSeconds > 0)
            self.rateWindowSeconds = rateWindowSeconds
            self.shareWindowSeconds = shareWindowSeconds
            self.historySeconds = historySeconds
            self.latencyIntervalSeconds = latencyIntervalSeconds
        }
    }

    /// Results whose message starts with this came from a burst worker (`PREFIX=bursty-`).
    public static let burstPrefix = "bursty-"

    public let configuration: Configuration
    /// When counting began, in nanoseconds.
    public let startTime: Int64

    public private(set) var sent = 0
    public private(set) var succeeded = 0
    public private(set) var failedByReason: [FailureReason: Int] = [:]
    /// All failed requests: the sum of `failedByReason`, kept apart because `inFlight` is read after
    /// every answer, thousands of times a second.
    public private(set) var failed = 0
    public private(set) var droppedByReason: [DropReason: Int] = [:]
    /// All dropped requests, the sum of `droppedByReason`: the driver compares it after every tick.
    public private(set) var dropped = 0
    public private(set) var resultsReceived = 0
    public private(set) var burstResultsReceived = 0

    var sentPerSecond: SecondBuckets
    var droppedPerSecond: SecondBuckets
    var primaryPerSecond: SecondBuckets
    var burstPerSecond: SecondBuckets
    var latency: LatencyRecorder

    /// Statistics starting at `now`.
    public init(now: Int64, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        startTime = now
        // One slot more than the longest look-back, for the current, incomplete second.
        let capacity =
            max(
                configuration.historySeconds, configuration.rateWindowSeconds,
                configuration.shareWindowSeconds) + 1
        sentPerSecond = SecondBuckets(capacity: capacity)
        droppedPerSecond = SecondBuckets(capacity: capacity)
        primaryPerSecond = SecondBuckets(capacity: capacity)
        burstPerSecond = SecondBuckets(capacity: capacity)
        latency = LatencyRecorder(intervalSeconds: Int64(configuration.latencyIntervalSeconds))
    }

    /// Requests sent and not yet answered. Every sent request ends as exactly one success or failure,
    /// so this needs no counter of its own and cannot drift from the others.
    public var inFlight: Int { sent - succeeded - failed }

    /// Latency since start, in milliseconds.
    public var latencySinceStart: LatencySummary { LatencyRecorder.summary(of: latency.sinceStart) }

    /// Counts `count` requests handed to the HTTP client at `now`.
    public mutating func recordSent(_ count: Int = 1, now: Int64) {
        sent += count
        sentPerSecond.add(count, atSecond: SecondBuckets.second(of: now))
    }

    /// Counts requests dropped for `reason`.
    public mutating func recordDropped(_ count: Int, reason: DropReason, now: Int64) {
        guard count > 0 else { return }
        droppedByReason[reason, default: 0] += count
        dropped += count
        droppedPerSecond.add(count, atSecond: SecondBuckets.second(of: now))
    }

    /// Counts the drops of one scheduler tick.
    public mutating func recordDrops(of decision: RateScheduler.Decision, now: Int64) {
        recordDropped(decision.droppedLate, reason: .late, now: now)
        recordDropped(decision.droppedOverCapacity, reason: .inFlightCap, now: now)
    }

    /// Counts a 2xx answer and records its latency: from the request's intended send time, not from
    /// when it left, so time lost in our own loop or the client's queue shows up instead of hiding
    /// (no coordinated omission).
    public mutating func recordSuccess(intendedSendTime: Int64, now: Int64) {
        succeeded += 1
        latency.record(nanoseconds: now - intendedSendTime, now: now)
    }

    /// Counts a failed request. Failures do not enter the latency histograms: a timeout's "latency" is
    /// the timeout setting, and a refused connection's is not the worker's.
    public mutating func recordFailure(_ reason: FailureReason, now: Int64) {
        failedByReason[reason, default: 0] += 1
        failed += 1
    }

    /// Counts one message received on Redis channel `calculation`.
    public mutating func recordResult(_ message: String, now: Int64) {
        recordResult(isBurst: message.utf8.starts(with: Self.burstPrefix.utf8), now: now)
    }

    /// Counts one message received on Redis channel `calculation`, as raw bytes.
    public mutating func recordResult(_ message: some Collection<UInt8>, now: Int64) {
        recordResult(isBurst: message.starts(with: Self.burstPrefix.utf8), now: now)
    }

    /// Counts one result already classified.
    public mutating func recordResult(isBurst: Bool, now: Int64) {
        resultsReceived += 1
        let second = SecondBuckets.second(of: now)
        if isBurst {
            burstResultsReceived += 1
            burstPerSecond.add(1, atSecond: second)
        } else {
            primaryPerSecond.add(1, atSecond: second)
        }
    }
}

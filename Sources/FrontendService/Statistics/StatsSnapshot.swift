import FoundationEssentials

/// The body of `GET /api/stats`: the generator and the results stream at one moment.
///
/// Rates are per second; latencies are milliseconds from each request's intended send time.
/// Keys are camelCase, reason keys the `FailureReason` and `DropReason` raw values.
public struct StatsSnapshot: Codable, Sendable, Equatable {
    /// The target rate in force (`PUT /api/rate`).
    public var targetRate: Double
    /// Requests sent per second over the last `rateWindowSeconds` whole seconds.
    public var achievedRate: Double
    /// The averaging window of `achievedRate` and `resultRate`; shorter just after start.
    public var rateWindowSeconds: Int
    public var sent: Int
    public var succeeded: Int
    /// Failed requests in all.
    public var failed: Int
    /// Failed requests per `FailureReason`, every reason present.
    public var failedByReason: [String: Int]
    /// Requests never sent because they could not go on time.
    public var dropped: Int
    /// Dropped requests per `DropReason` (`late`, `in_flight_cap`), every reason present.
    public var droppedByReason: [String: Int]
    public var inFlight: Int
    /// Latency of the requests answered in the last `latencyWindowSeconds` seconds or so.
    public var latency: LatencySummary
    /// The approximate span of `latency`: between one and two rotation intervals.
    public var latencyWindowSeconds: Int
    /// Latency of every request answered since start.
    public var latencySinceStart: LatencySummary
    /// Messages received on Redis channel `calculation` since start.
    public var resultsReceived: Int
    /// Of those, the ones with the `bursty-` prefix.
    public var burstResultsReceived: Int
    /// Results per second over the rate window.
    public var resultRate: Double
    /// The share (0...1) of results without and with the `bursty-` prefix over the share window;
    /// both 0 when no result arrived in it.
    public var primaryShare: Double
    public var burstShare: Double
    /// The share window in seconds, the current second included.
    public var shareWindowSeconds: Int
    /// One sample per whole second, oldest first, ending with the last complete second.
    public var history: [SecondSample]
    /// Seconds since the statistics started.
    public var uptimeSeconds: Double
    /// Whether the frontend's Redis subscriber is connected (nil where no service filled it in):
    /// while it is not, no results can arrive, and the page says so.
    public var redisConnected: Bool?
    /// `"token"` when changing the rate needs the rate-control key, `"open"` when it does not (nil
    /// where no service filled it in): the page asks for the key only when it is needed.
    public var rateControl: String?

    public init(
        targetRate: Double, achievedRate: Double, rateWindowSeconds: Int, sent: Int, succeeded: Int, failed: Int,
        failedByReason: [String: Int], dropped: Int, droppedByReason: [String: Int], inFlight: Int,
        latency: LatencySummary, latencyWindowSeconds: Int, latencySinceStart: LatencySummary,
        resultsReceived: Int, burstResultsReceived: Int, resultRate: Double, primaryShare: Double,
        burstShare: Double, shareWindowSeconds: Int, history: [SecondSample], uptimeSeconds: Double
    ) {
        self.targetRate = targetRate
        self.achievedRate = achievedRate
        self.rateWindowSeconds = rateWindowSeconds
        self.sent = sent
        self.succeeded = succeeded
        self.failed = failed
        self.failedByReason = failedByReason
        self.dropped = dropped
        self.droppedByReason = droppedByReason
        self.inFlight = inFlight
        self.latency = latency
        self.latencyWindowSeconds = latencyWindowSeconds
        self.latencySinceStart = latencySinceStart
        self.resultsReceived = resultsReceived
        self.burstResultsReceived = burstResultsReceived
        self.resultRate = resultRate
        self.primaryShare = primaryShare
        self.burstShare = burstShare
        self.shareWindowSeconds = shareWindowSeconds
        self.history = history
        self.uptimeSeconds = uptimeSeconds
    }

    /// The JSON body, keys sorted so the output is stable.
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Every field is a finite number, a string-keyed map or an array of them: encoding cannot fail.
        return (try? Array(encoder.encode(self))) ?? Array(#"{"error":"cannot encode statistics"}"#.utf8)
    }
}

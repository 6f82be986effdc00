import CoreMetrics
import HashrCore

/// The frontend's Prometheus instruments: the generator's and the results stream's counts, mirrored
/// from the events the service sees so `/metrics` agrees with `GET /api/stats`.
///
/// Every instrument is made once at start, one per label value, so recording an event is an atomic
/// add: no dictionary of handles on the path of 20,000 requests a second.
struct FrontendMetrics {
    let sent: CoreMetrics.Counter
    let succeeded: CoreMetrics.Counter
    let failed: [FailureReason: CoreMetrics.Counter]
    let dropped: [DropReason: CoreMetrics.Counter]
    let inFlight: CoreMetrics.Gauge
    let targetRate: CoreMetrics.Gauge
    /// From each request's intended send time to its answer, as `GET /api/stats` measures it.
    let latency: CoreMetrics.Timer
    let resultsReceived: CoreMetrics.Counter
    let burstResultsReceived: CoreMetrics.Counter
    let redisConnected: CoreMetrics.Gauge
    let resultStreams: CoreMetrics.Gauge
    let resultStreamsCutOff: CoreMetrics.Counter
    let resultStreamsRefused: CoreMetrics.Counter
    /// `PUT /api/rate` refused before it changed anything: without the key, or past an address's cap.
    let rateChangesUnauthorized: CoreMetrics.Counter
    let rateChangesLimited: CoreMetrics.Counter

    /// Drops already added to the counters; drops are mirrored by difference after each tick, because
    /// `LoadGenerator.tick` reports only what to send.
    private var exportedDrops: [DropReason: Int] = [:]
    private var exportedDropTotal = 0

    init(_ metrics: ServiceMetrics) {
        sent = metrics.counter("frontend_requests_sent_total")
        succeeded = metrics.counter("frontend_requests_succeeded_total")
        var failed: [FailureReason: CoreMetrics.Counter] = [:]
        for reason in FailureReason.allCases {
            failed[reason] = metrics.counter("frontend_requests_failed_total", [("reason", reason.rawValue)])
        }
        self.failed = failed
        var dropped: [DropReason: CoreMetrics.Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = metrics.counter("frontend_requests_dropped_total", [("reason", reason.rawValue)])
        }
        self.dropped = dropped
        inFlight = metrics.gauge("frontend_requests_in_flight")
        targetRate = metrics.gauge("frontend_target_rate")
        latency = metrics.timer("frontend_request_latency_seconds")
        resultsReceived = metrics.counter("frontend_results_received_total")
        burstResultsReceived = metrics.counter("frontend_burst_results_received_total")
        redisConnected = metrics.gauge("frontend_redis_connected")
        resultStreams = metrics.gauge("frontend_result_streams")
        resultStreamsCutOff = metrics.counter("frontend_result_streams_cut_off_total")
        resultStreamsRefused = metrics.counter("frontend_result_streams_refused_total")
        rateChangesUnauthorized = metrics.counter("frontend_rate_changes_refused_total", [("reason", "unauthorized")])
        rateChangesLimited = metrics.counter("frontend_rate_changes_refused_total", [("reason", "per_address_limit")])

        // Every series exists from the start, so a dashboard sees 0 rather than nothing.
        for counter in [
            sent, succeeded, resultsReceived, burstResultsReceived, resultStreamsCutOff, resultStreamsRefused,
            rateChangesUnauthorized, rateChangesLimited,
        ] {
            counter.increment(by: 0)
        }
        for counter in failed.values { counter.increment(by: 0) }
        for counter in dropped.values { counter.increment(by: 0) }
        inFlight.record(0)
        targetRate.record(0)
        redisConnected.record(0)
        resultStreams.record(0)
    }

    func recordFailure(_ reason: FailureReason) {
        failed[reason]?.increment()
    }

    /// Adds the drops counted since the last call; `total` (the sum of `totals`) makes the common case,
    /// a tick without drops, one comparison.
    mutating func mirrorDrops(_ totals: [DropReason: Int], total: Int) {
        guard total != exportedDropTotal else { return }
        exportedDropTotal = total
        for (reason, total) in totals {
            let new = total - exportedDrops[reason, default: 0]
            guard new > 0 else { continue }
            dropped[reason]?.increment(by: new)
            exportedDrops[reason] = total
        }
    }
}

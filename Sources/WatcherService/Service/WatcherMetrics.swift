import CoreMetrics
import HashrCore

/// istiowatcher's `/metrics`, mirrored from the controller's statistics after every event.
final class WatcherMetrics {
    private let metrics: ServiceMetrics
    private let observedRate: CoreMetrics.Gauge
    private let burstWeight: CoreMetrics.Gauge
    private let ready: CoreMetrics.Gauge
    private let consecutiveQueryFailures: CoreMetrics.Gauge
    private let consecutiveRouterFailures: CoreMetrics.Gauge
    private var counters: [String: CoreMetrics.Counter] = [:]
    private var reported: [String: Int] = [:]

    init(metrics: ServiceMetrics) {
        self.metrics = metrics
        observedRate = metrics.gauge("istiowatcher_observed_rate")
        burstWeight = metrics.gauge("istiowatcher_burst_weight")
        ready = metrics.gauge("istiowatcher_ready")
        consecutiveQueryFailures = metrics.gauge("istiowatcher_consecutive_query_failures")
        consecutiveRouterFailures = metrics.gauge("istiowatcher_consecutive_router_failures")
    }

    func update(from statistics: WatcherStatistics, isReady: Bool) {
        if let rate = statistics.observedRate { observedRate.record(rate) }
        if let weight = statistics.burstWeight { burstWeight.record(weight) }
        ready.record(isReady ? 1 : 0)
        consecutiveQueryFailures.record(statistics.consecutiveQueryFailures)
        consecutiveRouterFailures.record(statistics.consecutiveRouterFailures)
        advance("istiowatcher_transitions_total", [("direction", "to_burst")], to: statistics.transitionsToBurst)
        advance("istiowatcher_transitions_total", [("direction", "to_primary")], to: statistics.transitionsToPrimary)
        advance("istiowatcher_router_errors_total", [], to: statistics.routerErrors)
        for (kind, count) in statistics.queryOutcomes {
            advance("istiowatcher_queries_total", [("outcome", kind.rawValue)], to: count)
        }
    }

    /// The controller keeps totals; Prometheus counters only go up, so add the difference.
    private func advance(_ label: String, _ dimensions: [(String, String)], to total: Int) {
        let key = label + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        let counter = counters[key] ?? metrics.counter(label, dimensions)
        counters[key] = counter
        let delta = total - reported[key, default: 0]
        if delta > 0 { counter.increment(by: delta) }
        reported[key] = total
    }
}

import CoreMetrics
import Logging

/// Per-request bookkeeping: the access-log line and the request counters and duration histogram.
final class HTTPServerMetrics {
    private let metrics: ServiceMetrics
    private let accessLog: AccessLog
    private var counters: [CounterKey: CoreMetrics.Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]
    let openConnections: CoreMetrics.Gauge

    private struct CounterKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    init(metrics: ServiceMetrics, logger: Logger) {
        self.metrics = metrics
        accessLog = AccessLog(logger: logger)
        openConnections = metrics.gauge("http_open_connections")
    }

    /// Called once per answered request.
    func record(
        client: String, method: String, target: String, route: String, status: Int, nanoseconds: UInt64, bytes: Int
    ) {
        // Unknown methods would otherwise create unbounded label values.
        let methodLabel = Self.knownMethods.contains(method) ? method : "OTHER"
        let key = CounterKey(route: route, method: methodLabel, status: status)
        if let counter = counters[key] {
            counter.increment()
        } else {
            let counter = metrics.counter(
                "http_requests_total", [("route", route), ("method", methodLabel), ("status", String(status))])
            counters[key] = counter
            counter.increment()
        }
        let timer = timers[route] ?? {
            let made = metrics.timer("http_request_duration_seconds", [("route", route)])
            timers[route] = made
            return made
        }()
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
        accessLog.record(
            AccessRecord(
                client: client, method: method, target: target, status: status, nanoseconds: nanoseconds, bytes: bytes))
    }

    private static let knownMethods: Set = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
}

import CoreMetrics

/// The request counters and duration histogram, kept around every exchange, and the open
/// connections gauge.
final class HTTPServerMetrics: HTTPExchangeWrapper {
    private let metrics: ServiceMetrics
    private var counters: [CounterKey: CoreMetrics.Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]
    /// The last request's counter and timer: a service answers mostly one route with one method
    /// and status, and comparing three values costs less than hashing them into two dictionaries.
    private var last: (route: String, method: String, status: Int, counter: CoreMetrics.Counter, timer: CoreMetrics.Timer)?
    let openConnections: CoreMetrics.Gauge

    private struct CounterKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    init(metrics: ServiceMetrics) {
        self.metrics = metrics
        openConnections = metrics.gauge("http_open_connections")
    }

    /// Called once per answered request.
    func finished(_ record: AccessRecord, route: String) {
        if let last, last.status == record.status, last.route == route, last.method == record.method {
            last.counter.increment()
            last.timer.recordNanoseconds(Int64(clamping: record.nanoseconds))
            return
        }
        let method = record.method
        let status = record.status
        // Unknown methods would otherwise create unbounded label values.
        let methodLabel = Self.knownMethods.contains(method) ? method : "OTHER"
        let key = CounterKey(route: route, method: methodLabel, status: status)
        let counter = counters[key] ?? {
            let made = metrics.counter(
                "http_requests_total", [("route", route), ("method", methodLabel), ("status", String(status))])
            counters[key] = made
            return made
        }()
        counter.increment()
        let timer = timers[route] ?? {
            let made = metrics.timer("http_request_duration_seconds", [("route", route)])
            timers[route] = made
            return made
        }()
        timer.recordNanoseconds(Int64(clamping: record.nanoseconds))
        last = (route, method, status, counter, timer)
    }

    private static let knownMethods: Set = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
}

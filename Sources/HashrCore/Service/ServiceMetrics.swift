import CoreMetrics
import Prometheus

/// One service's metrics: a Prometheus registry of its own behind swift-metrics, so each service
/// (and each test that builds one in-process) exports only what it recorded.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    private let logSink: LogSink?

    /// `logSink`'s drop count is exported as `log_lines_dropped_total` (the process's sink by default).
    public init(logSink: LogSink? = LogSink.installed) {
        self.logSink = logSink
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Milliseconds matter here: a worker answers in well under 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    public func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    public func timer(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
    }

    /// The Prometheus text exposition of everything recorded so far.
    public func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        if let logSink {
            // Read at scrape time: lines are dropped on whatever thread logged them.
            bytes.appendUTF8("# TYPE log_lines_dropped_total counter\nlog_lines_dropped_total ")
            bytes.appendUTF8("\(logSink.droppedLineCount)\n")
        }
        return bytes
    }

    /// The `GET /metrics` response.
    public func response() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: 200, headers: headers, body: exposition())
    }
}

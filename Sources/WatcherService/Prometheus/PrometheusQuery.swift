/// An instant query against Prometheus' HTTP API: the URL to GET, and (in `+Decoding`) how to turn
/// the answer into an `Observation`. No I/O here; the caller does the request with a timeout.
public struct PrometheusQuery: Sendable, Equatable {
    /// The workshop's query with a 1m window instead of the original's 15s: Istio's Prometheus
    /// scrapes every 15 s, and `rate()` needs two samples inside its window, so a 15 s window is
    /// mostly empty and would read as "no data".
    public static let defaultExpression =
        "sum(rate(istio_requests_total{reporter=\"destination\","
        + "destination_service=\"worker-service.default.svc.cluster.local\","
        + "source_workload=\"frontend-deployment\"}[1m])) by (source_workload, source_app, destination_service)"

    /// Istio's bundled Prometheus, as the workshop installs it.
    public static let defaultServerURL = "http://prometheus.istio-system.svc.cluster.local:9090"

    /// Prometheus' base URL without a trailing slash, e.g. `http://127.0.0.1:9090` (a path prefix
    /// such as `/prometheus` is kept).
    public let serverURL: String
    /// The PromQL expression; it must evaluate to a single value in requests per second.
    public let expression: String

    /// A query of `expression`; trailing slashes of `serverURL` are dropped.
    public init(serverURL: String, expression: String) {
        var base = serverURL
        while base.hasSuffix("/") { base.removeLast() }
        self.serverURL = base
        self.expression = expression
    }

    /// `/api/v1/query?query=<percent-encoded expression>`, to append to the server's URL.
    public var path: String {
        "/api/v1/query?query=" + Self.percentEncode(expression)
    }

    /// `<server>/api/v1/query?query=<percent-encoded expression>`.
    public var url: String {
        serverURL + path
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, so `{}`, `"`, `=`, `[`,
    /// spaces and `+` all reach Prometheus intact (a raw `+` would be read as a space).
    public static func percentEncode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}

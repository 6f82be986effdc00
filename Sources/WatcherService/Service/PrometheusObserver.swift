import HashrCore
import HashrTLS

/// Runs the instant query over the core's HTTP client on the loop, `http://` or `https://` (then
/// trusting the system's CAs). Loop-confined.
final class PrometheusObserver {
    private let query: PrometheusQuery
    private let timeout: Duration
    private let client: HTTPClient
    /// Where to send the query.
    private let target: HTTPTarget?
    /// Why the query cannot be sent, when it cannot (a URL the client cannot take, no TLS).
    private var unusable: String?

    init(loop: EventLoop, query: PrometheusQuery, timeout: Duration) {
        self.query = query
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 2
        configuration.requestTimeout = timeout
        // The query path is built here, once.
        let url = query.url
        target = HTTPTarget(url: url)
        if target == nil { unusable = "not a URL the HTTP client can request: \(url)" }
        if let target, target.endpoint.usesTLS {
            // Only for an https:// Prometheus: OpenSSL's set-up costs memory a plain watcher does not spend.
            do throws(HTTPClientError) {
                configuration.tls = try OpenSSLClientContext(certificateAuthorityFile: nil)
            } catch {
                unusable = error.description
            }
        }
        client = HTTPClient(loop: loop, configuration: configuration)
    }

    /// Queries once; `completion` runs on the loop with what was observed.
    func observe(completion: @escaping (Observation) -> Void) {
        guard let target, unusable == nil else {
            return completion(query.connectionFailed(unusable ?? "no target"))
        }
        let request = HTTPClientRequest(method: "GET", endpoint: target.endpoint, path: target.path, timeout: timeout)
        client.execute(request) { [query] result in
            switch result {
            case .success(let response): completion(query.decode(status: response.status, body: response.body))
            case .failure(let error): completion(query.connectionFailed(error.description))
            }
        }
    }

    func close() {
        client.close()
    }
}

import HashrCore

/// Runs the instant query: over the core's HTTP client on the loop for `http://` Prometheus, or
/// through libcurl on the thread pool for `https://` (no TLS on the loop). Loop-confined.
final class PrometheusObserver {
    private let loop: EventLoop
    private let query: PrometheusQuery
    private let timeout: Duration
    private let endpoint: HTTPEndpoint?
    private let client: HTTPClient?
    private let path: String

    init(loop: EventLoop, query: PrometheusQuery, timeout: Duration) {
        self.loop = loop
        self.query = query
        self.timeout = timeout
        endpoint = HTTPEndpoint(url: query.serverURL)
        if endpoint != nil {
            var configuration = HTTPClient.Configuration()
            configuration.maxConnectionsPerHost = 2
            configuration.requestTimeout = timeout
            client = HTTPClient(loop: loop, configuration: configuration)
        } else {
            client = nil
        }
        path = "/api/v1/query?query=" + PrometheusQuery.percentEncode(query.expression)
    }

    /// Queries once; `completion` runs on the loop with what was observed.
    func observe(completion: @escaping (Observation) -> Void) {
        if let client, let endpoint {
            let request = HTTPClientRequest(method: "GET", endpoint: endpoint, path: path, timeout: timeout)
            client.execute(request) { [query] result in
                switch result {
                case .success(let response): completion(query.decode(status: response.status, body: response.body))
                case .failure(let error): completion(query.connectionFailed(error.description))
                }
            }
            return
        }
        let query = self.query
        let timeout = self.timeout
        loop.runBlocking({ () -> Observation in
            let client = BlockingHTTPClient(certificateAuthorityFile: nil, allowsPlainHTTP: true)
            do {
                let response = try client.perform(method: "GET", url: query.url, timeout: timeout)
                return query.decode(status: response.status, body: response.body)
            } catch {
                return query.connectionFailed("\(error)")
            }
        }, completion: completion)
    }

    func close() {
        client?.close()
    }
}

/// An HTTP/1.1 client on the event loop with a keep-alive connection pool per host:port.
/// Loop-confined: call it and get completions on the loop thread.
public final class HTTPClient {
    /// Pool size, queueing and timeouts.
    public struct Configuration: Sendable {
        /// Open connections per host:port. 256.
        public var maxConnectionsPerHost = 256
        /// Requests waiting for a free connection per host:port before new ones are refused. 100,000.
        public var maxWaitingRequestsPerHost = 100_000
        /// Time from submitting a request to its complete response (connecting included). 10 s.
        public var requestTimeout: Duration = .seconds(10)
        /// Limits on responses; the body limit defaults to 16 MiB.
        public var responseLimits: HTTPParser.Limits = {
            var limits = HTTPParser.Limits()
            limits.maxBodyBytes = 16 * 1024 * 1024
            return limits
        }()
        /// Speaks TLS for `https://` endpoints; nil (the default) fails them with `.tlsFailed`.
        /// The handshake counts against the request's timeout.
        public var tls: (any TLSClientContext)?

        public init() {}
    }

    public let loop: EventLoop
    public let configuration: Configuration
    private var pools: [PoolKey: HTTPConnectionPool] = [:]
    private var sweepTimer: LoopTimer?
    private var closed = false

    public init(loop: EventLoop, configuration: Configuration = Configuration()) {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
    }

    /// Sends `request`; `completion` runs exactly once on the loop with the response or the reason
    /// there is none.
    public func execute(
        _ request: HTTPClientRequest, completion: @escaping (Result<HTTPClientResponse, HTTPClientError>) -> Void
    ) {
        loop.assertInEventLoop()
        guard !closed else { return completion(.failure(.closed)) }
        let key = PoolKey(host: request.endpoint.host, port: request.endpoint.port, usesTLS: request.endpoint.usesTLS)
        let pool = pools[key] ?? makePool(key: key, endpoint: request.endpoint)
        pool.submit(request, completion: completion)
    }

    private func makePool(key: PoolKey, endpoint: HTTPEndpoint) -> HTTPConnectionPool {
        let pool = HTTPConnectionPool(loop: loop, endpoint: endpoint, configuration: configuration)
        pools[key] = pool
        if sweepTimer == nil {
            // Requests waiting for a connection time out even if no connection frees up. Weak: the
            // timer's handle lives until closed, and a client dropped without `close()` (a test that
            // threw) must not be read after it is gone; the idle timer is unreferenced and harmless.
            let timer = LoopTimer(loop: loop) { [weak self] in
                guard let self else { return }
                for pool in pools.values { pool.expireWaiting() }
            }
            timer.start(after: .milliseconds(100), repeating: .milliseconds(100))
            timer.unref()
            sweepTimer = timer
        }
        return pool
    }

    /// Open connections across all hosts.
    public var connectionCount: Int { pools.values.reduce(0) { $0 + $1.connectionCount } }

    /// Fails pending requests with `.closed` and closes every connection.
    public func close() {
        guard !closed else { return }
        closed = true
        sweepTimer?.close()
        sweepTimer = nil
        for pool in pools.values { pool.close() }
    }

    /// One pool per scheme, host and port (not per base path). A struct rather than a formatted
    /// string: the frontend's generator looks its pool up up to 10,000 times a second.
    private struct PoolKey: Hashable {
        let host: String
        let port: Int
        let usesTLS: Bool
    }
}

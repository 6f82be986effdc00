extension HTTPServer {
    /// Listening address, limits and timeouts. Every limit has a default fit for the services here.
    public struct Configuration: Sendable {
        /// Address to bind; `0.0.0.0` listens on every IPv4 interface, `::` on IPv6 too.
        public var host = "0.0.0.0"
        /// Port to bind; 0 picks a free one (see `HTTPServer.port`).
        public var port = 8080
        /// Request line, header and body size limits (414, 431, 413).
        public var limits = HTTPParser.Limits()
        /// A request's head and body must arrive within this time of its first byte (slowloris). 10 s.
        public var requestTimeout: Duration = .seconds(10)
        /// An idle keep-alive connection is closed after this. 60 s.
        public var idleTimeout: Duration = .seconds(60)
        /// Connections beyond this are accepted and closed at once. 10,000.
        public var maxConnections = 10_000
        /// A streaming response whose unsent bytes exceed this is cut off (slow reader). 1 MiB.
        public var maxQueuedStreamBytes = 1024 * 1024
        /// On shutdown, in-flight requests get this long to finish. 10 s.
        public var shutdownGracePeriod: Duration = .seconds(10)
        /// When set, every response carries `Access-Control-Allow-Origin` with this value and
        /// `OPTIONS` on any path is answered as a CORS preflight (204).
        public var corsAllowOrigin: String?
        /// Added to every response, the server's own errors (400, 404, 408, ...) and streams included,
        /// unless the response sets a field of that name itself: security headers, say.
        public var defaultHeaders = HTTPHeaders()
        /// `listen()` backlog.
        public var backlog: Int32 = 1024

        public init() {}
    }
}

import HashrCore

/// Where the haproxy router finds HAProxy's runtime API and which servers it weighs.
public struct HAProxyRouterConfiguration: Sendable, Equatable {
    /// `HAPROXY_ADDR`, default `127.0.0.1:9999`: a `stats socket ipv4@... level admin`.
    public var host: String
    public var port: Int
    /// `HAPROXY_BACKEND`, default `worker`.
    public var backend: String
    /// `HAPROXY_PRIMARY_SERVER` / `HAPROXY_BURST_SERVER`, default `primary` / `burst`.
    public var primaryServer: String
    public var burstServer: String
    /// `ROUTER_TIMEOUT`: the limit for one runtime API exchange.
    public var timeout: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 9999, backend: String = "worker", primaryServer: String = "primary",
        burstServer: String = "burst", timeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.backend = backend
        self.primaryServer = primaryServer
        self.burstServer = burstServer
        self.timeout = timeout
    }

    init(environment env: EnvironmentReader, timeout: Duration) throws {
        let address = try env.hostAndPort("HAPROXY_ADDR", default: "127.0.0.1:9999")
        let primary = try env.haproxyName("HAPROXY_PRIMARY_SERVER", default: "primary")
        let burst = try env.haproxyName("HAPROXY_BURST_SERVER", default: "burst")
        guard burst != primary else {
            throw ConfigurationError(
                variable: "HAPROXY_BURST_SERVER", value: burst, expected: "a server other than HAPROXY_PRIMARY_SERVER")
        }
        self.init(
            host: address.host, port: address.port, backend: try env.haproxyName("HAPROXY_BACKEND", default: "worker"),
            primaryServer: primary, burstServer: burst, timeout: timeout)
    }
}

import HashrCore

/// Everything istiowatcher reads from its environment, validated in one place.
///
/// A bad value throws a `ConfigurationError` whose description is the one line printed before
/// the process exits 2. Router-specific variables are read only for the chosen router, so a local
/// `ROUTER=haproxy` run needs no Kubernetes files.
public struct WatcherConfiguration: Sendable, Equatable {
    /// `PORT`, default 8083: `/_healthz` and `/metrics`.
    public var port: Int
    /// `PROMETHEUS_URL` and `PROMETHEUS_QUERY`.
    public var query: PrometheusQuery
    /// `POLL_INTERVAL`, default 1s: time between the starts of two queries.
    public var pollInterval: Duration
    /// `QUERY_TIMEOUT`, default 5s: a query unanswered by then is an error (which holds the route).
    public var queryTimeout: Duration
    /// `BURST_MODE` and its thresholds, `MIN_DWELL`, `NO_DATA_GRACE`.
    public var policy: BurstPolicy.Configuration
    /// `ROUTER` and its settings.
    public var router: RouterConfiguration
    /// `DRY_RUN`: decide and log, never change the route.
    public var dryRun: Bool

    public init(
        port: Int = 8083, query: PrometheusQuery, pollInterval: Duration = .seconds(1),
        queryTimeout: Duration = .seconds(5), policy: BurstPolicy.Configuration, router: RouterConfiguration,
        dryRun: Bool = false
    ) {
        self.port = port
        self.query = query
        self.pollInterval = pollInterval
        self.queryTimeout = queryTimeout
        self.policy = policy
        self.router = router
        self.dryRun = dryRun
    }

    /// Reads and validates every variable of the watcher's contract.
    public init(environment env: EnvironmentReader) throws {
        let port = try env.port("PORT", default: 8083)
        let query = PrometheusQuery(
            serverURL: try env.baseURL("PROMETHEUS_URL", default: PrometheusQuery.defaultServerURL),
            expression: env.string("PROMETHEUS_QUERY", default: PrometheusQuery.defaultExpression))
        let pollInterval = try env.duration("POLL_INTERVAL", default: .seconds(1), minimum: .milliseconds(100))
        let queryTimeout = try env.duration("QUERY_TIMEOUT", default: .seconds(5), minimum: .milliseconds(100))
        var policy = try Self.policy(env)
        policy.recoveryHold = query.longestRange ?? .zero
        let routerTimeout = try env.duration("ROUTER_TIMEOUT", default: .seconds(10), minimum: .milliseconds(100))
        let accountDirectory = env.string(
            "SERVICEACCOUNT_DIR", default: "/var/run/secrets/kubernetes.io/serviceaccount")
        let router: RouterConfiguration
        switch try env.choice(
            "ROUTER", default: "kubernetes", from: ["kubernetes", "gateway-api", "haproxy", "command"])
        {
        case "haproxy":
            router = .haproxy(try HAProxyRouterConfiguration(environment: env, timeout: routerTimeout))
        case "gateway-api":
            router = .gatewayAPI(
                try KubernetesRouterConfiguration(
                    environment: env, serviceAccountDirectory: accountDirectory, timeout: routerTimeout,
                    routeKind: .httpRoute))
        case "command":
            router = .command(
                try CommandRouterConfiguration(environment: env, timeout: routerTimeout, mode: policy.mode))
        default:
            router = .kubernetes(
                try KubernetesRouterConfiguration(
                    environment: env, serviceAccountDirectory: accountDirectory, timeout: routerTimeout))
        }
        self.init(
            port: port, query: query, pollInterval: pollInterval, queryTimeout: queryTimeout, policy: policy,
            router: router, dryRun: try env.bool("DRY_RUN", default: false))
    }

    private static func policy(_ env: EnvironmentReader) throws -> BurstPolicy.Configuration {
        let mode: BurstMode
        switch try env.choice("BURST_MODE", default: "all", from: ["all", "overflow"]) {
        case "overflow":
            guard let text = env.raw("PRIMARY_CAPACITY_RPS") else {
                throw ConfigurationError(
                    variable: "PRIMARY_CAPACITY_RPS", value: "",
                    expected: "the requests/s primary can serve (required when BURST_MODE=overflow)")
            }
            let capacity = try env.double("PRIMARY_CAPACITY_RPS", default: 0, in: 0...1e9)
            guard capacity > 0 else {
                throw ConfigurationError(
                    variable: "PRIMARY_CAPACITY_RPS", value: text, expected: "a rate greater than 0")
            }
            mode = .overflow(capacity: capacity, step: try env.int("WEIGHT_STEP", default: 5, in: 1...100))
        default:
            let high = try env.double("BURST_HIGH_RPS", default: 15, in: 0...1e9)
            let low = try env.double("BURST_LOW_RPS", default: 10, in: 0...1e9)
            guard low <= high else {
                throw ConfigurationError(
                    variable: "BURST_LOW_RPS", value: env.raw("BURST_LOW_RPS") ?? "10",
                    expected: "a rate no higher than BURST_HIGH_RPS (\(BurstPolicy.format(high)))")
            }
            mode = .all(high: high, low: low)
        }
        return BurstPolicy.Configuration(
            mode: mode, minimumDwell: try env.duration("MIN_DWELL", default: .zero),
            noDataGrace: try env.duration("NO_DATA_GRACE", default: .seconds(30)))
    }
}

import HashrCore

/// The frontend's settings (docs/ARCHITECTURE.md, frontend contract), read once at start.
///
/// Every value has a default that runs the local demo; each comes from one environment variable and a
/// bad value stops the process with a `ConfigurationError` naming the variable and what was expected.
public struct FrontendConfiguration: Sendable {
    /// `PORT`: where the page and the API listen. Default 8080.
    public var port = 8080

    /// `REDIS_URL`: the Redis server whose channel `calculation` carries the results.
    public var redis = RedisURL(host: "127.0.0.1")

    /// `PROCESSOR_URL`: where generated requests go (`POST` to its path). Default
    /// `http://127.0.0.1:8081`; `http://worker-service` in a cluster.
    public var processor = HTTPEndpoint(host: "127.0.0.1", port: 8081)

    /// `MAX_RATE`: the highest rate `PUT /api/rate` accepts, in requests per second. Default 20,000.
    public var maxRate: Double = RateBody.defaultMaximum

    /// `INITIAL_RATE`: the rate at start, for benchmarks and unattended runs. Default 0 (stopped), as in
    /// the original demo.
    public var initialRate: Double = 0

    /// `MAX_IN_FLIGHT`: requests sent and not yet answered; past it, due requests are dropped.
    /// Default 1,000: at 20,000/s that is 50 ms of worker latency before anything is dropped.
    public var maxInFlight = 1_000

    /// `PROCESSOR_CONNECTIONS`: keep-alive connections to the processor. Default 256. Requests beyond it
    /// wait in the client's queue, still counted as in flight, with the wait in their latency.
    public var processorConnections = 256

    /// `REQUEST_TIMEOUT`: a generated request without a complete answer by then fails as `timeout`.
    /// Default 5 s.
    public var requestTimeout: Duration = .seconds(5)

    /// `TICK_INTERVAL`: the period of the generator's one repeating timer, whole milliseconds (libuv's
    /// timer resolution). Default 1 ms.
    public var tickInterval: Duration = .milliseconds(1)

    /// `LATE_TOLERANCE`: how late a request may still be sent; later ones are dropped (see
    /// `RateScheduler`). Default 10 ms; at least `TICK_INTERVAL`, or a healthy loop would drop requests.
    public var lateTolerance: Duration = .milliseconds(10)

    /// `SSE_CLIENT_BUFFER`: bytes that may wait for one results stream before that client is cut off.
    /// Default 1 MiB: several seconds of results at thousands per second.
    public var sseClientBuffer = 1024 * 1024

    /// `SSE_KEEPALIVE`: the interval of the comment line that keeps proxies from closing an idle
    /// stream. Default 15 s.
    public var sseKeepAlive: Duration = .seconds(15)

    /// `SSE_RETRY`: the reconnection delay the browser is told to use. Default 2 s.
    public var sseRetry: Duration = .seconds(2)

    /// `MAX_SSE_CLIENTS` (earlier `SSE_MAX_CLIENTS`, still read): open result streams; more are refused
    /// with 503 and `Retry-After` so file descriptors last. Default 1,000.
    public var sseMaxClients = 1_000

    /// `MAX_SSE_CLIENTS_PER_ADDRESS`: open result streams from one client address; more get 429.
    /// Default 20: a person with a few tabs never meets it, one machine cannot take every slot.
    /// Behind a proxy every client shares the proxy's address (see `ClientLimits`).
    public var sseMaxClientsPerAddress = 20

    /// `RATE_CHANGES_PER_MINUTE`: `PUT /api/rate` calls one client address may make in any 60 s;
    /// more get 429 with `Retry-After`. Default 60: typing rates by hand never meets it.
    public var rateChangesPerMinute = 60

    /// `RATE_CONTROL_TOKEN`, or the file `RATE_CONTROL_TOKEN_FILE` (one of them, not both): when set,
    /// `PUT /api/rate` needs `Authorization: Bearer <key>`. Default none: rate control is open, as
    /// on one machine.
    public var rateControlToken: RateControlToken?

    /// `SHUTDOWN_GRACE`: how long in-flight requests may finish after SIGTERM. Default 10 s.
    public var shutdownGrace: Duration = .seconds(10)

    /// The defaults.
    public init() {}

    /// Reads every setting from `environment`.
    public init(environment: EnvironmentReader) throws {
        port = try environment.port("PORT", default: port)
        redis = try environment.redisURL()
        processor = try Self.processorEndpoint(environment.string("PROCESSOR_URL", default: "http://127.0.0.1:8081"))
        maxRate = try environment.double("MAX_RATE", default: maxRate, in: 1...1_000_000)
        initialRate = try environment.double("INITIAL_RATE", default: 0, in: 0...maxRate)
        maxInFlight = try environment.int("MAX_IN_FLIGHT", default: maxInFlight, in: 1...1_000_000)
        processorConnections = try environment.int(
            "PROCESSOR_CONNECTIONS", default: processorConnections, in: 1...65_535)
        requestTimeout = try environment.duration("REQUEST_TIMEOUT", default: requestTimeout, minimum: .milliseconds(1))
        tickInterval = try Self.wholeMilliseconds(environment, "TICK_INTERVAL", default: tickInterval)
        lateTolerance = try environment.duration("LATE_TOLERANCE", default: lateTolerance)
        guard lateTolerance >= tickInterval else {
            // Checked apart from parsing: a longer TICK_INTERVAL can make the default tolerance too short.
            throw ConfigurationError(
                variable: "LATE_TOLERANCE", value: lateTolerance.shortText,
                expected: "at least TICK_INTERVAL (\(tickInterval.shortText))")
        }
        sseClientBuffer = try environment.int("SSE_CLIENT_BUFFER", default: sseClientBuffer, in: 1024...(1 << 30))
        sseKeepAlive = try environment.duration("SSE_KEEPALIVE", default: sseKeepAlive, minimum: .seconds(1))
        sseRetry = try environment.duration("SSE_RETRY", default: sseRetry, minimum: .milliseconds(100))
        let maxClientsName = environment.raw("MAX_SSE_CLIENTS") == nil && environment.raw("SSE_MAX_CLIENTS") != nil
            ? "SSE_MAX_CLIENTS" : "MAX_SSE_CLIENTS"
        sseMaxClients = try environment.int(maxClientsName, default: sseMaxClients, in: 1...100_000)
        sseMaxClientsPerAddress = try environment.int(
            "MAX_SSE_CLIENTS_PER_ADDRESS", default: sseMaxClientsPerAddress, in: 1...100_000)
        rateChangesPerMinute = try environment.int(
            "RATE_CHANGES_PER_MINUTE", default: rateChangesPerMinute, in: 1...100_000)
        rateControlToken = try RateControlToken.fromEnvironment(environment)
        shutdownGrace = try environment.duration("SHUTDOWN_GRACE", default: shutdownGrace)
    }

    /// The scheduler's settings.
    public var scheduler: RateScheduler.Configuration {
        RateScheduler.Configuration(lateTolerance: lateTolerance)
    }

    /// Parses `PROCESSOR_URL`: `http://host[:port][/path]`, nothing else.
    static func processorEndpoint(_ text: String) throws -> HTTPEndpoint {
        guard let endpoint = HTTPEndpoint(url: text) else {
            throw ConfigurationError(
                variable: "PROCESSOR_URL", value: text,
                expected: "an http:// URL with a host, an optional port (1-65535) and an optional path, "
                    + "such as http://worker-service or http://127.0.0.1:8081 (no https, user or query)")
        }
        return endpoint
    }

    /// A duration from 1 ms to 1 s in whole milliseconds, as libuv timers take them.
    static func wholeMilliseconds(_ environment: EnvironmentReader, _ name: String, default value: Duration) throws
        -> Duration
    {
        let duration = try environment.duration(name, default: value, minimum: .milliseconds(1))
        guard duration <= .seconds(1), duration.nanoseconds % 1_000_000 == 0 else {
            throw ConfigurationError(
                variable: name, value: environment.raw(name) ?? "",
                expected: "a whole number of milliseconds from 1ms to 1000ms")
        }
        return duration
    }
}

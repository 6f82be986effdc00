import HashrCore

/// The worker's settings (docs/ARCHITECTURE.md, worker contract), read once at start.
public struct WorkerConfiguration: Sendable {
    public var port = 8081
    public var redis: RedisURL
    public var prefix = ""
    /// Largest accepted request body (413 past it). `MAX_BODY_BYTES`, default 64 KiB.
    public var maxBodyBytes = 64 * 1024
    /// `SHUTDOWN_GRACE`, default 10 s.
    public var shutdownGrace: Duration = .seconds(10)
    /// How long a publish may wait for Redis's answer before its request gets 503. `REDIS_TIMEOUT`,
    /// default 5 s.
    public var redisTimeout: Duration = .seconds(5)

    public init(redis: RedisURL) {
        self.redis = redis
    }

    public init(environment: EnvironmentReader) throws {
        redis = try environment.redisURL()
        port = try environment.port("PORT", default: 8081)
        prefix = environment.string("PREFIX", default: "")
        maxBodyBytes = try environment.int("MAX_BODY_BYTES", default: 64 * 1024, in: 2...(64 * 1024 * 1024))
        shutdownGrace = try environment.duration("SHUTDOWN_GRACE", default: .seconds(10))
        redisTimeout = try environment.duration("REDIS_TIMEOUT", default: redisTimeout, minimum: .milliseconds(1))
    }
}

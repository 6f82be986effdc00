extension EnvironmentReader {
    /// The Redis server named by `name` (default `REDIS_URL`), or `defaultValue` when unset.
    /// Throws a `ConfigurationError` that never shows the password.
    public func redisURL(_ name: String = "REDIS_URL", default defaultValue: String = "127.0.0.1:6379") throws
        -> RedisURL
    {
        try RedisURL(parsing: string(name, default: defaultValue), variable: name)
    }
}

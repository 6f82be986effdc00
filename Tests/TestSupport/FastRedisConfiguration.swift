import HashrCore

/// Redis settings that make tests quick: short backoff and timeouts.
public func fastRedisConfiguration(_ url: RedisURL) -> RedisConfiguration {
    RedisConfiguration(
        url: url, connectTimeout: .seconds(2), commandTimeout: .seconds(2),
        reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)))
}

import HashrCore

/// Redis settings that make tests quick: short reconnect backoff. The timeouts are generous, not
/// short: a parallel run on a busy 2-core machine can take seconds to answer 10,000 pipelined
/// commands, and a test that wants a timeout sets its own.
public func fastRedisConfiguration(_ url: RedisURL) -> RedisConfiguration {
    RedisConfiguration(
        url: url, connectTimeout: .seconds(10), commandTimeout: .seconds(15),
        reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)))
}

import Testing

@testable import HashrCore

@Suite struct RedisURLTests {
    @Test(arguments: [
        ("127.0.0.1:6379", RedisURL(host: "127.0.0.1", port: 6379)),
        ("redis-host:7000", RedisURL(host: "redis-host", port: 7000)),
        ("localhost", RedisURL(host: "localhost")),
        (" 10.0.0.5:6380 ", RedisURL(host: "10.0.0.5", port: 6380)),
        ("redis://cache:6390", RedisURL(host: "cache", port: 6390)),
        ("redis://cache", RedisURL(host: "cache")),
        ("REDIS://cache/", RedisURL(host: "cache")),
        ("redis://cache:6379/4", RedisURL(host: "cache", database: 4)),
        ("redis://:s3cret@cache:6379", RedisURL(host: "cache", password: "s3cret")),
        ("redis://s3cret@cache", RedisURL(host: "cache", password: "s3cret")),
        (
            "redis://alice:s3cret@cache:6379/2",
            RedisURL(host: "cache", username: "alice", password: "s3cret", database: 2)
        ),
        ("redis://alice:p%40ss%3Aword@cache", RedisURL(host: "cache", username: "alice", password: "p@ss:word")),
        ("redis://:p@ss@cache", RedisURL(host: "cache", password: "p@ss")),
        ("redis://[::1]:6400", RedisURL(host: "::1", port: 6400)),
        ("[::1]", RedisURL(host: "::1")),
    ])
    func parses(_ text: String, _ expected: RedisURL) throws {
        #expect(try RedisURL(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "host:port", ":6379", "redis://", "redis://:6379",
        "redis://host:6379/x", "redis://host/-1", "rediss://host:6379", "http://host:6379", "host:6379/1", "a:b:c",
        "redis://host name", "[::1", "redis://%zz@host", "redis://user@:6379",
    ])
    func rejects(_ text: String) {
        #expect(throws: ConfigurationError.self) { try RedisURL(parsing: text) }
    }

    @Test func errorNamesTheVariableAndHidesThePassword() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try RedisURL(parsing: "redis://alice:hunter2@cache:notaport")
        }
        #expect(error.variable == "REDIS_URL")
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("alice:***@cache:notaport"))
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try RedisURL(parsing: "redis://alice:hunter2@cache:6379/3")
        for text in ["\(url)", String(reflecting: url), url.description, url.debugDescription, dumped(url)] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(url.description == "redis://alice:***@cache:6379/3")
        #expect(try RedisURL(parsing: "redis://:pw@h").description == "redis://:***@h:6379")
        #expect(RedisURL(host: "::1").description == "redis://[::1]:6379")
        #expect(RedisURL(host: "h").description == "redis://h:6379")
    }

    @Test func readsTheEnvironment() throws {
        #expect(try EnvironmentReader([:]).redisURL() == RedisURL(host: "127.0.0.1"))
        #expect(
            try EnvironmentReader(["REDIS_URL": "redis://r:1234/1"]).redisURL()
                == RedisURL(host: "r", port: 1234, database: 1))
        let error = try #require(throws: ConfigurationError.self) {
            try EnvironmentReader(["REDIS_URL": "redis://:pw@r:99999"]).redisURL()
        }
        #expect(error.variable == "REDIS_URL" && !error.description.contains("pw@"))
    }

    private func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}

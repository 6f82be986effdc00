import HashrCore
import Testing

@testable import FrontendService

@Suite struct FrontendConfigurationTests {
    static func read(_ values: [String: String]) throws -> FrontendConfiguration {
        try FrontendConfiguration(environment: EnvironmentReader(values))
    }

    /// The variable a bad setting is blamed on, or nil when it was accepted.
    static func rejected(_ values: [String: String]) -> String? {
        do {
            _ = try read(values)
            return nil
        } catch let error as ConfigurationError {
            return error.variable
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func defaultsMatchTheContract() throws {
        let configuration = try Self.read([:])
        #expect(configuration.port == 8080)
        #expect(configuration.redis == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(configuration.processor == HTTPEndpoint(host: "127.0.0.1", port: 8081))
        #expect(configuration.maxRate == 20_000)
        #expect(configuration.initialRate == 0)
        #expect(configuration.maxInFlight == 1_000)
        #expect(configuration.processorConnections == 256)
        #expect(configuration.requestTimeout == .seconds(5))
        #expect(configuration.tickInterval == .milliseconds(1))
        #expect(configuration.lateTolerance == .milliseconds(10))
        #expect(configuration.sseClientBuffer == 1_048_576)
        #expect(configuration.sseKeepAlive == .seconds(15))
        #expect(configuration.sseRetry == .seconds(2))
        #expect(configuration.sseMaxClients == 1_000)
        #expect(configuration.sseMaxClientsPerAddress == 20 && configuration.rateChangesPerMinute == 60)
        #expect(configuration.rateControlToken == nil)
        #expect(configuration.shutdownGrace == .seconds(10))
        #expect(configuration.scheduler == RateScheduler.Configuration(lateTolerance: .milliseconds(10)))
    }

    @Test func emptyValuesMeanDefaults() throws {
        let configuration = try Self.read(["PORT": "", "MAX_RATE": "", "PROCESSOR_URL": ""])
        #expect(configuration.port == 8080 && configuration.maxRate == 20_000)
        #expect(configuration.processor.port == 8081)
    }

    @Test func everySettingIsRead() throws {
        let configuration = try Self.read([
            "PORT": "9000", "REDIS_URL": "redis://:secret@redis.internal:6380/2",
            "PROCESSOR_URL": "http://worker-service", "MAX_RATE": "50000", "INITIAL_RATE": "12.5",
            "MAX_IN_FLIGHT": "64", "PROCESSOR_CONNECTIONS": "32", "REQUEST_TIMEOUT": "750ms",
            "TICK_INTERVAL": "2ms", "LATE_TOLERANCE": "25ms", "SSE_CLIENT_BUFFER": "65536",
            "SSE_KEEPALIVE": "30s", "SSE_RETRY": "500ms", "MAX_SSE_CLIENTS": "10", "SHUTDOWN_GRACE": "3s",
            "MAX_SSE_CLIENTS_PER_ADDRESS": "4", "RATE_CHANGES_PER_MINUTE": "12",
            "RATE_CONTROL_TOKEN": "0123456789abcdef0123",
        ])
        #expect(configuration.port == 9000)
        #expect(configuration.redis == RedisURL(host: "redis.internal", port: 6380, password: "secret", database: 2))
        #expect(configuration.processor == HTTPEndpoint(host: "worker-service", port: 80))
        #expect(configuration.maxRate == 50_000 && configuration.initialRate == 12.5)
        #expect(configuration.maxInFlight == 64 && configuration.processorConnections == 32)
        #expect(configuration.requestTimeout == .milliseconds(750))
        #expect(configuration.tickInterval == .milliseconds(2))
        #expect(configuration.lateTolerance == .milliseconds(25))
        #expect(configuration.sseClientBuffer == 65_536)
        #expect(configuration.sseKeepAlive == .seconds(30) && configuration.sseRetry == .milliseconds(500))
        #expect(configuration.sseMaxClients == 10 && configuration.shutdownGrace == .seconds(3))
        #expect(configuration.sseMaxClientsPerAddress == 4 && configuration.rateChangesPerMinute == 12)
        #expect(configuration.rateControlToken?.matches(Array("0123456789abcdef0123".utf8)) == true)
    }

    @Test func theEarlierNameOfMaxSSEClientsIsStillRead() throws {
        #expect(try Self.read(["SSE_MAX_CLIENTS": "7"]).sseMaxClients == 7)
        #expect(try Self.read(["SSE_MAX_CLIENTS": "7", "MAX_SSE_CLIENTS": "9"]).sseMaxClients == 9)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8081", HTTPEndpoint(host: "127.0.0.1", port: 8081)),
        ("http://worker-service", HTTPEndpoint(host: "worker-service", port: 80)),
        ("http://worker-service/", HTTPEndpoint(host: "worker-service", port: 80)),
        ("http://127.0.0.1:8090/api/hash", HTTPEndpoint(host: "127.0.0.1", port: 8090, basePath: "/api/hash")),
        ("http://[::1]:8081", HTTPEndpoint(host: "::1", port: 8081)),
    ])
    func processorURLsThatWork(text: String, endpoint: HTTPEndpoint) throws {
        #expect(try Self.read(["PROCESSOR_URL": text]).processor == endpoint)
    }

    @Test(arguments: [
        "https://worker-service", "worker-service:8081", "ftp://host", "http://", "http://:8081",
        "http://host:0", "http://host:65536", "http://host:port", "http://user:pw@host", "http://host/?q=1",
        "http://ho st",
    ])
    func processorURLsThatAreRejected(text: String) {
        #expect(Self.rejected(["PROCESSOR_URL": text]) == "PROCESSOR_URL")
    }

    @Test func processorURLMessageShowsAnExample() {
        #expect(throws: ConfigurationError.self) { try FrontendConfiguration.processorEndpoint("https://x") }
        do {
            _ = try FrontendConfiguration.processorEndpoint("https://x")
        } catch {
            #expect("\(error)".contains("http://worker-service"))
            #expect("\(error)".contains("PROCESSOR_URL=\"https://x\""))
        }
    }

    @Test(arguments: [
        ("PORT", "0"), ("PORT", "65536"), ("PORT", "http"), ("PORT", "-1"),
        ("REDIS_URL", "redis://host:99999"), ("REDIS_URL", "http://host"),
        ("MAX_RATE", "0"), ("MAX_RATE", "-5"), ("MAX_RATE", "nan"), ("MAX_RATE", "inf"), ("MAX_RATE", "2000000"),
        ("MAX_RATE", "lots"), ("INITIAL_RATE", "-1"), ("INITIAL_RATE", "20001"), ("INITIAL_RATE", "fast"),
        ("MAX_IN_FLIGHT", "0"), ("MAX_IN_FLIGHT", "1.5"), ("MAX_IN_FLIGHT", "2000000"),
        ("PROCESSOR_CONNECTIONS", "0"), ("PROCESSOR_CONNECTIONS", "70000"),
        ("REQUEST_TIMEOUT", "0s"), ("REQUEST_TIMEOUT", "5"), ("REQUEST_TIMEOUT", "soon"),
        ("TICK_INTERVAL", "0ms"), ("TICK_INTERVAL", "1.5ms"), ("TICK_INTERVAL", "500us"), ("TICK_INTERVAL", "2s"),
        ("LATE_TOLERANCE", "500us"), ("LATE_TOLERANCE", "-1ms"), ("LATE_TOLERANCE", "10"),
        ("SSE_CLIENT_BUFFER", "100"), ("SSE_CLIENT_BUFFER", "1MiB"), ("SSE_CLIENT_BUFFER", "2147483648"),
        ("SSE_KEEPALIVE", "500ms"), ("SSE_KEEPALIVE", "15"), ("SSE_RETRY", "10ms"),
        ("SSE_MAX_CLIENTS", "0"), ("MAX_SSE_CLIENTS", "0"), ("MAX_SSE_CLIENTS_PER_ADDRESS", "0"),
        ("RATE_CHANGES_PER_MINUTE", "-1"), ("SHUTDOWN_GRACE", "forever"),
    ])
    func badValuesAreRejectedNamingTheVariable(name: String, value: String) {
        #expect(Self.rejected([name: value]) == name)
    }

    @Test func initialRateIsCheckedAgainstTheConfiguredMaximum() throws {
        #expect(Self.rejected(["MAX_RATE": "100", "INITIAL_RATE": "150"]) == "INITIAL_RATE")
        #expect(try Self.read(["MAX_RATE": "100", "INITIAL_RATE": "100"]).initialRate == 100)
    }

    @Test func lateToleranceMustCoverTheTickInterval() throws {
        #expect(Self.rejected(["TICK_INTERVAL": "20ms"]) == "LATE_TOLERANCE")
        #expect(try Self.read(["TICK_INTERVAL": "20ms", "LATE_TOLERANCE": "20ms"]).lateTolerance == .milliseconds(20))
    }

    @Test func redisPasswordNeverAppearsInTheError() {
        do {
            _ = try Self.read(["REDIS_URL": "redis://:hunter2@host:notaport"])
            Issue.record("accepted a bad REDIS_URL")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}

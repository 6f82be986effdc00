import Foundation
import FoundationNetworking
import HashrCore
import HashrTestSupport
import Testing

/// The `worker` executable itself: configuration errors and signals.
@Suite struct WorkerProcessTests {
    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("REDIS_URL", "redis://"), ("REDIS_URL", "host:notaport"),
        ("MAX_BODY_BYTES", "-1"), ("SHUTDOWN_GRACE", "soon"), ("LOG_LEVEL", "loud"), ("REDIS_TIMEOUT", "0s"),
    ])
    func badConfigurationExitsTwoWithOneClearLine(variable: String, value: String) async throws {
        let worker = try ServiceProcess("worker", environment: [variable: value])
        let result = try await worker.wait()
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains(variable) && result.stderr.contains(value))
    }

    @Test func sigtermWithRequestsInFlightExitsZeroAfterAnsweringThem() async throws {
        let redis = try await RedisServerProcess.started()
        let port = FreePort.take()
        // A long Redis timeout: the paused Redis must still be waited for when a busy machine takes
        // seconds to get the ten requests in (the default 5 s turned them into 503s).
        let worker = try ServiceProcess(
            "worker", environment: ["PORT": "\(port)", "REDIS_URL": "127.0.0.1:\(redis.port)", "REDIS_TIMEOUT": "60s"])
        try await waitUntil("worker ready") { LoopbackSocket.accepts(port: port) }
        try await waitUntil("worker connected to Redis") { try await Self.status(port: port, path: "/_healthz") == 200 }
        redis.pause()
        let statuses = LockedList<Int>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask { statuses.append(try await Self.post(port: port, body: "{\"str\": \"\(index)\"}")) }
            }
            // Signal only once all ten are accepted and waiting on the paused Redis.
            try await waitUntil("10 requests in flight") { try await Self.openConnections(port: port) >= 11 }
            worker.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            redis.resume()
            try await group.waitForAll()
        }
        let result = try await worker.wait()
        #expect(result.status == 0)
        #expect(statuses.all == Array(repeating: 200, count: 10))
        #expect(result.stdout.contains("shutting down"))
    }

    @Test func aPublishRedisNeverAnswersIsA503AfterREDIS_TIMEOUT() async throws {
        let redis = try await RedisServerProcess.started()
        let port = FreePort.take()
        let worker = try ServiceProcess(
            "worker",
            environment: ["PORT": "\(port)", "REDIS_URL": "127.0.0.1:\(redis.port)", "REDIS_TIMEOUT": "300ms"])
        try await waitUntil("worker connected to Redis") {
            (try? await Self.status(port: port, path: "/_healthz")) == 200
        }
        redis.pause()
        defer { redis.resume() }
        let started = ContinuousClock.now
        #expect(try await Self.post(port: port, body: #"{"str": "held"}"#) == 503)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        worker.signal(SIGTERM)
        let result = try await worker.wait()
        #expect(result.stdout.contains("publish failed: Redis timed out"), "\(result.stdout)")
    }

    /// Enough connections per host for every request to be in flight at once.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        return URLSession(configuration: configuration)
    }()

    static func status(port: Int, path: String) async throws -> Int {
        let (_, response) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return (response as? HTTPURLResponse)?.statusCode ?? -1
    }

    static func openConnections(port: Int) async throws -> Int {
        let (data, _) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("http_open_connections ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) } ?? 0
    }

    static func post(port: Int, body: String) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 10
        let (_, response) = try await session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? -1
    }
}

import Foundation
import HashrCore
import HashrTestSupport
import Logging

@testable import FrontendService

/// The frontend in-process on its own loop, with a real redis-server and, unless told otherwise, the
/// real `worker` binary as its processor. A second loop ("tools") holds what the test uses to look
/// from outside: an HTTP client, a subscriber counting every message the worker publishes, and a
/// Redis client to publish results directly.
final class FrontendHarness: Sendable {
    /// Where the frontend's generated requests go.
    enum Processor: Sendable {
        /// The `worker` executable, connected to the harness's Redis.
        case worker
        /// Something the test runs itself.
        case endpoint(HTTPEndpoint)
        /// A port nobody listens on: every request fails to connect.
        case nowhere
    }

    let redis: RedisServerProcess
    let worker: ServiceProcess?
    let tools: EventLoopThread
    let client: LoopBound<HTTPClient>
    let counter: LoopBound<RedisSubscriber>
    let publisher: LoopBound<RedisClient>
    /// Every message published on `calculation`, as an independent subscriber saw it.
    let published = LockedList<String>()
    let frontendThread: EventLoopThread
    let frontend: LoopBound<FrontendService>
    let port: Int
    let endpoint: HTTPEndpoint

    /// - Parameter logs: when given, the frontend logs everything (access lines included) there.
    init(
        processor: Processor = .worker, logs: LogCapture? = nil,
        configure: @Sendable (inout FrontendConfiguration) -> Void = { _ in }
    ) async throws {
        let redis = try await RedisServerProcess.started()
        self.redis = redis
        let url = redis.url
        let logger = {
            var logger = Logger(label: "frontend-test")
            logger.logLevel = .warning
            return logger
        }()

        tools = try EventLoopThread(name: "tools")
        let toolsLoop = tools.loop
        let published = self.published
        (client, counter, publisher) = try await tools.submit {
            let subscriber = RedisSubscriber(
                loop: toolsLoop, configuration: fastRedisConfiguration(url), channels: [FrontendService.channel],
                logger: logger
            ) { message in published.append(message.text) }
            subscriber.connect()
            let publisher = RedisClient(loop: toolsLoop, configuration: fastRedisConfiguration(url), logger: logger)
            publisher.connect()
            return (
                LoopBound(HTTPClient(loop: toolsLoop), loop: toolsLoop), LoopBound(subscriber, loop: toolsLoop),
                LoopBound(publisher, loop: toolsLoop)
            )
        }

        let processorEndpoint: HTTPEndpoint
        switch processor {
        case .worker:
            let workerPort = FreePort.take()
            // Warnings only: the access log of thousands of requests would fill the pipe and block it.
            worker = try ServiceProcess(
                "worker",
                environment: ["PORT": "\(workerPort)", "REDIS_URL": "127.0.0.1:\(redis.port)", "LOG_LEVEL": "warning"])
            processorEndpoint = HTTPEndpoint(host: "127.0.0.1", port: workerPort)
        case .endpoint(let endpoint):
            worker = nil
            processorEndpoint = endpoint
        case .nowhere:
            worker = nil
            processorEndpoint = HTTPEndpoint(host: "127.0.0.1", port: FreePort.take())
        }

        frontendThread = try EventLoopThread(name: "frontend")
        let loop = frontendThread.loop
        var configuration = FrontendConfiguration()
        configuration.port = 0
        configuration.redis = url
        configuration.processor = processorEndpoint
        configure(&configuration)
        let settings = configuration
        let frontendLogger = logs?.logger(label: "frontend", level: .trace) ?? logger
        let (frontend, port) = try await frontendThread.submit {
            let frontend = try FrontendService(
                loop: loop, configuration: settings, logger: frontendLogger,
                redisConfiguration: fastRedisConfiguration(url))
            return (LoopBound(frontend, loop: loop), frontend.port)
        }
        self.frontend = frontend
        self.port = port
        endpoint = HTTPEndpoint(host: "127.0.0.1", port: port)

        do {
            try await waitUntil("frontend and test subscriber connected to Redis") {
                let subscribed = try await frontendThread.submit { frontend.value.isSubscribed }
                let counting = try await tools.submit { [counter, publisher] in
                    counter.value.isConnected && publisher.value.isConnected
                }
                return subscribed && counting
            }
            if case .worker = processor {
                try await waitUntil("worker connected to Redis") {
                    (try? await self.get(processorEndpoint, "/_healthz").status) == 200
                }
            }
        } catch {
            // A harness that never came up still leaves no process behind.
            _ = await stop()
            throw error
        }
    }

    // MARK: Looking from outside

    func request(
        _ method: String, _ path: String, body: String = "", headers: HTTPHeaders = HTTPHeaders()
    ) async throws -> HTTPClientResponse {
        try await request(endpoint, method, path, body: body, headers: headers)
    }

    func get(_ endpoint: HTTPEndpoint, _ path: String) async throws -> HTTPClientResponse {
        try await request(endpoint, "GET", path)
    }

    private func request(
        _ endpoint: HTTPEndpoint, _ method: String, _ path: String, body: String = "",
        headers: HTTPHeaders = HTTPHeaders()
    ) async throws -> HTTPClientResponse {
        let client = self.client
        let request = HTTPClientRequest(
            method: method, endpoint: endpoint, path: path, headers: headers, body: Array(body.utf8),
            timeout: .seconds(5))
        return try await tools.submitAsync { complete in client.value.execute(request) { complete($0) } }.get()
    }

    /// `PUT /api/rate` with `body`, and `Authorization: <authorization>` when given.
    @discardableResult
    func putRate(_ body: String, authorization: String? = nil) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let authorization { headers.add("Authorization", authorization) }
        return try await request("PUT", "/api/rate", body: body, headers: headers)
    }

    /// `GET /api/stats`, decoded.
    func stats() async throws -> StatsSnapshot {
        let response = try await request("GET", "/api/stats")
        return try JSONDecoder().decode(StatsSnapshot.self, from: Data(response.body))
    }

    /// The value of one sample of `/metrics`, such as `frontend_requests_sent_total` or
    /// `frontend_requests_failed_total{reason="connect"}`.
    func metric(_ sample: String) async throws -> Double? {
        let text = String(decoding: try await request("GET", "/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    /// Runs `body` on the frontend's loop.
    func onFrontend<T: Sendable>(_ body: @escaping @Sendable (FrontendService) -> T) async throws -> T {
        let frontend = self.frontend
        return try await frontendThread.submit { body(frontend.value) }
    }

    /// PUBLISHes `message` on `calculation` directly, as a worker would.
    func publish(_ message: String) async throws {
        let publisher = self.publisher
        _ = try await tools.submitAsync { complete in
            publisher.value.publish(channel: FrontendService.channel, message: message) { complete($0) }
        }.get()
    }

    // MARK: Stopping

    /// Shuts the frontend down gracefully and stops everything else. Returns `uv_loop_close` of the
    /// frontend's loop and of the tools loop: 0 and 0 when no handle was left open.
    func stop() async -> (frontend: Int32, tools: Int32) {
        let frontend = self.frontend
        _ = await frontendThread.submitAsync { (complete: @escaping (Bool) -> Void) in
            frontend.value.shutdown { complete(true) }
        }
        let frontendResult = await frontendThread.shutdown()
        let client = self.client
        let counter = self.counter
        let publisher = self.publisher
        let toolsResult = await tools.shutdown {
            client.value.close()
            counter.value.close()
            publisher.value.close()
        }
        if let worker {
            worker.signal(SIGTERM)
            _ = try? await worker.wait()
        }
        _ = try? await OffThePool.run { [redis] in redis.stop() }
        return (frontendResult, toolsResult)
    }
}

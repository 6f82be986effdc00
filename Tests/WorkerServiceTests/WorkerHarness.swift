import Foundation
import HashrCore
import HashrTestSupport
import Logging

@testable import WorkerService

/// A worker in-process on its own loop, with a real redis-server, a subscriber counting what is
/// published, and an HTTP client.
final class WorkerHarness: Sendable {
    let thread: EventLoopThread
    let redis: RedisServerProcess
    let worker: LoopBound<WorkerService>
    let client: LoopBound<HTTPClient>
    let subscriber: LoopBound<RedisSubscriber>
    let received = LockedList<String>()
    let endpoint: HTTPEndpoint

    init(prefix: String = "", maxBodyBytes: Int = 64 * 1024) async throws {
        redis = try await RedisServerProcess.started()
        thread = try EventLoopThread()
        let loop = thread.loop
        let url = redis.url
        let received = self.received
        let (worker, client, subscriber, port) = try await thread.submit {
            var configuration = WorkerConfiguration(redis: url)
            configuration.port = 0
            configuration.prefix = prefix
            configuration.maxBodyBytes = maxBodyBytes
            var logger = Logger(label: "worker-test")
            logger.logLevel = .warning
            let worker = try WorkerService(loop: loop, configuration: configuration, logger: logger, redisConfiguration: fastRedisConfiguration(url))
            let subscriber = RedisSubscriber(
                loop: loop, configuration: fastRedisConfiguration(url), channels: [WorkerService.channel], logger: logger
            ) { message in received.append(message.text) }
            subscriber.connect()
            return (LoopBound(worker, loop: loop), LoopBound(HTTPClient(loop: loop), loop: loop), LoopBound(subscriber, loop: loop), worker.port)
        }
        self.worker = worker
        self.client = client
        self.subscriber = subscriber
        endpoint = HTTPEndpoint(host: "127.0.0.1", port: port)
        try await waitUntil("worker and subscriber connected to Redis") { try await self.isReady() }
    }

    func isReady() async throws -> Bool {
        let worker = self.worker
        let subscriber = self.subscriber
        return try await thread.submit { worker.value.isRedisConnected && subscriber.value.state == .connected }
    }

    func post(_ body: String, path: String = "/") async -> Result<HTTPClientResponse, HTTPClientError> {
        await request("POST", path, body: Array(body.utf8))
    }

    func request(_ method: String, _ path: String, body: [UInt8] = [], headers: HTTPHeaders = HTTPHeaders()) async -> Result<HTTPClientResponse, HTTPClientError> {
        let client = self.client
        let request = HTTPClientRequest(method: method, endpoint: endpoint, path: path, headers: headers, body: body, timeout: .seconds(5))
        return await thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
    }

    /// Stops everything; returns `uv_loop_close`'s result (0: no handle left behind).
    func stop() async -> Int32 {
        let worker = self.worker
        let client = self.client
        let subscriber = self.subscriber
        let done = await thread.submitAsync { (complete: @escaping (Bool) -> Void) in
            client.value.close()
            subscriber.value.close()
            worker.value.shutdown { complete(true) }
        }
        _ = done
        let result = await thread.shutdown()
        redis.stop()
        return result
    }
}


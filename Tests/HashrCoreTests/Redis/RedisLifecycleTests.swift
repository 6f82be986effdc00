import HashrTestSupport
import Testing

@testable import HashrCore

/// close(): pending commands fail once, every handle closes, nothing leaks; also from callbacks.
@Suite struct RedisLifecycleTests {
    @Test func closeFailsPendingCommandsExactlyOnce() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let states = Shared<[RedisConnectionState]>([])
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url), states: states)
        try await thread.connected(client)

        let outcomes = Shared<[Result<RedisReply, RedisError>]>([])
        try await thread.submit {
            client.value.send(["BLPOP", "never-filled", "0"]) { result in outcomes.update { $0.append(result) } }
        }
        try await waitUntil("the BLPOP to be pending") { try await thread.submit { client.value.pendingCommands } == 1 }
        try await thread.submit { client.value.close() }
        #expect(outcomes.value.map(\.redisError) == [.clientClosed])
        #expect(await thread.send(client, ["PING"]).redisError == .clientClosed)
        #expect(try await thread.state(client) == .closed)
        #expect(states.value.last == .closed)
        try await thread.submit { client.value.close() }  // idempotent

        #expect(await thread.shutdown() == 0)
        #expect(outcomes.value.count == 1)
    }

    @Test func closingFromInsideACompletionFailsTheRestOnce() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(client)

        // The 10th reply closes the client while hiredis is still handing out replies.
        let outcomes = Shared([[Result<Int, RedisError>]](repeating: [], count: 100))
        try await thread.submit {
            for index in 0..<100 {
                client.value.publish(channel: "c", message: "\(index)") { result in
                    outcomes.update { $0[index].append(result) }
                    if index == 9 { client.value.close() }
                }
            }
        }
        try await waitUntil("an outcome for every command") { outcomes.value.allSatisfy { !$0.isEmpty } }
        #expect(await thread.shutdown() == 0)
        #expect(outcomes.value.allSatisfy { $0.count == 1 })
        #expect(outcomes.value[..<10].allSatisfy { (try? $0[0].get()) == 0 })
        #expect(outcomes.value[10...].allSatisfy { $0[0].redisError == .clientClosed })
    }

    @Test func closingFromAStateChangeWhileConnectFails() async throws {
        let port = FreePort.take()
        let thread = try EventLoopThread()
        let closed = Shared(false)
        let holder = Shared<LoopBound<RedisClient>?>(nil)
        try await thread.submit { [loop = thread.loop] in
            let client = RedisClient(
                loop: loop, configuration: fastRedisConfiguration(RedisURL(host: "127.0.0.1", port: port)))
            client.onStateChange = { [unowned client] state in
                guard state == .disconnected else { return }
                client.close()
                closed.update { $0 = true }
            }
            client.connect()
            holder.update { $0 = LoopBound(client, loop: loop) }
        }
        try await waitUntil("the client to close") { closed.value }
        #expect(try await thread.submit { holder.value?.value.state } == .closed)
        #expect(await thread.shutdown { holder.update { $0 = nil } } == 0)
    }

    @Test func droppingAClientWithoutCloseStillReleasesItsHandles() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let holder = Shared<LoopBound<RedisClient>?>(nil)
        let weakClient = try await thread.submit { [loop = thread.loop, url = redis.url] in
            let client = RedisClient(loop: loop, configuration: fastRedisConfiguration(url))
            client.connect()
            holder.update { $0 = LoopBound(client, loop: loop) }
            return WeakBox(client)
        }
        try await waitUntil("the client to connect") {
            try await thread.submit { holder.value?.value.isConnected == true }
        }
        // The last reference goes on the loop thread, as it must for a loop-confined type.
        try await thread.submit { holder.update { $0 = nil } }
        #expect(weakClient.isGone)
        #expect(await thread.shutdown() == 0)
    }

    @Test func manyClientsOpenAndCloseWithoutLeaking() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let checker = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(checker)

        var gone: [WeakBox] = []
        for _ in 0..<5 {
            var clients: [LoopBound<RedisClient>] = []
            var subscribers: [LoopBound<RedisSubscriber>] = []
            for _ in 0..<80 { clients.append(try await thread.makeClient(fastRedisConfiguration(redis.url))) }
            for _ in 0..<20 {
                subscribers.append(
                    try await thread.makeSubscriber(
                        fastRedisConfiguration(redis.url), channels: ["c"], messages: Shared([])))
            }
            for client in clients { try await thread.connected(client) }
            for subscriber in subscribers { try await thread.connected(subscriber) }
            // Eventually, not at once: Redis may not yet have processed the previous round's closes
            // (a busy machine delays it); a leaked connection would keep the count above 101.
            try await waitUntil("Redis to count this round's 100 clients and the checker") {
                try await clientCount(thread, checker) == 101
            }
            let round = try await thread.submit { [clients, subscribers] in
                for client in clients { client.value.close() }
                for subscriber in subscribers { subscriber.value.close() }
                return clients.map { WeakBox($0.value) } + subscribers.map { WeakBox($0.value) }
            }
            gone += round
        }
        // Redis sees every connection gone, and no client object outlives its last reference.
        try await waitUntil("Redis to see only the checker's connection") {
            try await clientCount(thread, checker) == 1
        }
        let released = gone
        let allGone = try await thread.submit { released.allSatisfy { $0.isGone } }
        #expect(allGone)
        #expect(await thread.shutdown { checker.value.close() } == 0)
    }

    private func clientCount(_ thread: EventLoopThread, _ checker: LoopBound<RedisClient>) async throws -> Int {
        let info = try await thread.send(checker, ["INFO", "clients"]).get().stringValue ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("connected_clients:") }
        return line.flatMap { Int($0.dropFirst("connected_clients:".count)) } ?? -1
    }
}

/// Tells whether an object has been deallocated; read it on the loop thread.
final class WeakBox: @unchecked Sendable {
    private weak var object: AnyObject?

    init(_ object: AnyObject) {
        self.object = object
    }

    var isGone: Bool { object == nil }
}

import HashrTestSupport
import Foundation
import Testing

@testable import HashrCore

/// Refused connects, resets, a killed, restarted and hung Redis: each seen, commands never hang.
@Suite struct RedisFailureTests {
    @Test func aRefusedConnectIsReportedAndCommandsFailAtOnce() async throws {
        let port = FreePort.take()
        let url = RedisURL(host: "127.0.0.1", port: port)
        let thread = try EventLoopThread()
        let states = Shared<[RedisConnectionState]>([])
        let client = try await thread.makeClient(fastRedisConfiguration(url), states: states)
        let subscriber = try await thread.makeSubscriber(
            fastRedisConfiguration(url), channels: ["c"], messages: Shared([]))

        try await waitUntil("the refused connect to be reported") {
            try await thread.submit { client.value.lastError != nil }
        }
        let error = try await thread.submit { client.value.lastError }
        guard case .connectFailed(let reason) = error else {
            Issue.record("expected a failed connect, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("refused"))
        try await waitUntil("the subscriber's refused connect to be reported") {
            if case .connectFailed = try await thread.submit({ subscriber.value.lastError }) { return true }
            return false
        }

        // Refused at once: `.notConnected`, not `.timedOut` after the command timeout.
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)
        // It keeps retrying, and connects by itself once Redis appears.
        try await waitUntil("three connect attempts") { states.value.filter { $0 == .connecting }.count >= 3 }
        let redis = try await RedisServerProcess.started(port: port)
        try await thread.connected(client)
        try await thread.connected(subscriber)
        #expect(try await thread.send(client, ["PING"]).get() == .status("PONG"))

        #expect(
            await thread.shutdown {
                client.value.close()
                subscriber.value.close()
            } == 0)
        redis.stop()
    }

    @Test func aConnectionResetIsSeen() async throws {
        let server = try ScriptedRedisServer(.pongThenReset)
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(RedisURL(host: "127.0.0.1", port: server.port)))
        try await thread.connected(client)

        let result = await thread.send(client, ["GET", "anything"])
        guard case .connectionLost(let reason) = result.redisError else {
            Issue.record("expected a lost connection, got \(result)")
            return
        }
        #expect(reason.lowercased().contains("reset"))
        #expect(try await thread.state(client) != .connected)
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func aSilentServerTimesTheAttemptOut() async throws {
        let server = try ScriptedRedisServer(.silent)
        let thread = try EventLoopThread()
        var configuration = fastRedisConfiguration(RedisURL(host: "127.0.0.1", port: server.port))
        configuration.connectTimeout = .milliseconds(300)
        let states = Shared<[RedisConnectionState]>([])
        let client = try await thread.makeClient(configuration, states: states)

        try await waitUntil("the connect timeout to be reported") {
            try await thread.submit { client.value.lastError != nil }
        }
        guard case .timedOut = try await thread.submit({ client.value.lastError }) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(!states.value.contains(.connected))
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func redisKilledThenRestartedOnTheSamePort() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        // The production defaults: a restarted Redis must be picked up within a few seconds.
        let configuration = RedisConfiguration(url: redis.url)
        let states = Shared<[RedisConnectionState]>([])
        let subscriberStates = Shared<[RedisConnectionState]>([])
        let messages = Shared<[RedisSubscriber.Message]>([])
        let client = try await thread.makeClient(configuration, states: states)
        let subscriber = try await thread.makeSubscriber(configuration, channels: ["calculation"], messages: messages)
        try await thread.submit {
            subscriber.value.onStateChange = { state in subscriberStates.update { $0.append(state) } }
        }
        try await thread.connected(client)
        try await thread.connected(subscriber)

        // Blocked commands are certainly pending when Redis dies; each must fail exactly once.
        let outcomes = Shared<[Int: [Result<RedisReply, RedisError>]]>([:])
        try await thread.submit {
            for index in 0..<3 {
                client.value.send(["BLPOP", "never-filled-\(index)", "0"]) { result in
                    outcomes.update { $0[index, default: []].append(result) }
                }
            }
        }
        try await waitUntil("three pending commands") { try await thread.submit { client.value.pendingCommands } == 3 }
        redis.kill()

        // Lost with the connection, not timed out (5 s by default): the kind below tells which.
        try await waitUntil("all three commands to fail") { outcomes.value.count == 3 }
        for (_, results) in outcomes.value {
            #expect(results.count == 1)
            guard case .connectionLost = results.first?.redisError else {
                Issue.record("expected a lost connection, got \(results)")
                continue
            }
        }
        #expect(try await thread.state(client) != .connected)
        try await waitUntil("the subscriber to see the disconnect") { subscriberStates.value.contains(.disconnected) }
        // Refused at once: `.notConnected`, not `.timedOut` after the command timeout.
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)

        // Down long enough for the backoff to grow, then back on the same port.
        try await Task.sleep(for: .seconds(1))
        try await redis.restart()
        let back = ContinuousClock.now
        // The backoff is capped at 2 s; the rest is a margin for a busy machine.
        try await thread.connected(client, within: .seconds(8))
        try await thread.connected(subscriber, within: .seconds(8))
        #expect(ContinuousClock.now - back < .seconds(8))
        let receivers = await thread.submitAsync { complete in
            client.value.publish(channel: "calculation", message: "after restart") { complete($0) }
        }
        #expect(try receivers.get() == 1)
        try await waitUntil("the message published after the restart") {
            messages.value.map(\.text) == ["after restart"]
        }
        #expect(states.value.first == .connecting && states.value.last == .connected)
        #expect(states.value.contains(.disconnected))

        #expect(
            await thread.shutdown {
                client.value.close()
                subscriber.value.close()
            } == 0)
    }

    @Test func killedWhilePublishingEveryPublishCompletesOnce() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(client)

        // A timer keeps publishing, so writes go out while Redis dies (EPIPE, not a crash).
        let issued = Shared(0)
        let outcomes = Shared(["success": 0, "lost": 0, "notConnected": 0, "other": 0])
        let driver = try await thread.submit { [loop = thread.loop] in
            let timer = LoopTimer(loop: loop) {
                for _ in 0..<200 {
                    issued.update { $0 += 1 }
                    client.value.publish(channel: "c", message: "payload") { result in
                        let kind =
                            switch result {
                            case .success: "success"
                            case .failure(.connectionLost): "lost"
                            case .failure(.notConnected): "notConnected"
                            case .failure: "other"
                            }
                        outcomes.update { $0[kind, default: 0] += 1 }
                    }
                }
            }
            timer.start(after: .milliseconds(1), repeating: .milliseconds(1))
            return LoopBound(timer, loop: loop)
        }
        try await waitUntil("over 2,000 successful commands") { outcomes.value["success"]! > 2_000 }
        redis.kill()
        try await waitUntil("a command failing as not connected") { outcomes.value["notConnected"]! > 0 }
        try await thread.submit { driver.value.close() }
        try await waitUntil("an outcome for every command issued") {
            outcomes.value.values.reduce(0, +) == issued.value
        }
        #expect(outcomes.value["other"] == 0)
        #expect(await thread.shutdown { client.value.close() } == 0)
        #expect(outcomes.value.values.reduce(0, +) == issued.value)
    }

    @Test func anUnresolvableHostIsReported() async throws {
        let thread = try EventLoopThread()
        var configuration = fastRedisConfiguration(RedisURL(host: "no-such-host.invalid"))
        configuration.connectTimeout = .seconds(5)
        let client = try await thread.makeClient(configuration)
        try await waitUntil("the lookup failure to be reported", timeout: .seconds(10)) {
            try await thread.submit { client.value.lastError != nil }
        }
        let error = try await thread.submit { client.value.lastError }
        switch error {
        case .resolveFailed?, .timedOut?: break  // timed out only where DNS itself hangs
        default: Issue.record("expected a failed lookup, got \(String(describing: error))")
        }
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func aHungRedisTimesPendingCommandsOut() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        var configuration = fastRedisConfiguration(redis.url)
        configuration.commandTimeout = .milliseconds(500)
        let client = try await thread.makeClient(configuration)
        try await thread.connected(client)

        redis.pause()
        defer { redis.resume() }
        let started = ContinuousClock.now
        let result = await thread.send(client, ["PING"])
        let waited = ContinuousClock.now - started
        guard case .timedOut = result.redisError else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        // The configured 500 ms, not the 15 s of the test default (a busy machine adds seconds).
        #expect(waited >= .milliseconds(400) && waited < .seconds(10))
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)
        redis.resume()
        try await thread.connected(client)
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func tooManyPendingCommandsFailAtOnce() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        var configuration = fastRedisConfiguration(redis.url)
        configuration.maximumPendingCommands = 2
        let client = try await thread.makeClient(configuration)
        try await thread.connected(client)
        let results = try await thread.submit {
            let collected = Shared<[Result<RedisReply, RedisError>]>([])
            for _ in 0..<3 { client.value.send(["PING"]) { result in collected.update { $0.append(result) } } }
            return collected
        }
        try await waitUntil("three results") { results.value.count == 3 }
        #expect(results.value.first?.redisError == .tooManyPendingCommands(2))
        #expect(results.value.dropFirst().allSatisfy { (try? $0.get()) == .status("PONG") })
        #expect(await thread.shutdown { client.value.close() } == 0)
    }
}

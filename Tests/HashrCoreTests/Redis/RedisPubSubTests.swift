import HashrTestSupport
import Testing

@testable import HashrCore

/// PUBLISH and SUBSCRIBE against a real redis-server.
@Suite struct RedisPubSubTests {
    @Test func binaryPayloadsRoundTrip() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let messages = Shared<[RedisSubscriber.Message]>([])
        let subscriber = try await thread.makeSubscriber(
            fastRedisConfiguration(redis.url), channels: ["calculation", "other"], messages: messages)
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(subscriber)
        try await thread.connected(client)

        let payloads: [[UInt8]] = [
            (0...255).map { UInt8($0) }, [], Array("\r\n*3\r\n$7\r\nmessage\r\n".utf8), [0, 0, 0],
            Array("héllo ✓".utf8),
        ]
        for payload in payloads {
            let receivers = await thread.submitAsync { complete in
                client.value.publish(channel: "calculation", message: payload) { complete($0) }
            }
            #expect(try receivers.get() == 1)
        }
        let nobody = await thread.submitAsync { complete in
            client.value.publish(channel: "unheard", message: "x") { complete($0) }
        }
        #expect(try nobody.get() == 0)
        let expected = payloads.map { RedisSubscriber.Message(channel: "calculation", payload: $0) }
        try await waitUntil("every published message") { messages.value.count >= payloads.count }
        #expect(messages.value == expected)

        #expect(
            await thread.shutdown {
                client.value.close()
                subscriber.value.close()
            } == 0)
    }

    @Test func tenThousandPipelinedPublishesCompleteExactlyOnce() async throws {
        let count = 10_000
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let messages = Shared<[RedisSubscriber.Message]>([])
        let subscriber = try await thread.makeSubscriber(
            fastRedisConfiguration(redis.url), channels: ["bulk"], messages: messages)
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(subscriber)
        try await thread.connected(client)

        // All issued in one loop turn, so they share the connection's output buffer and are in
        // flight together; each index must complete once, successfully, with one receiver.
        let completions = Shared([Int](repeating: 0, count: count))
        let failures = Shared(0)
        let maximumPending = try await thread.submit {
            for index in 0..<count {
                client.value.publish(channel: "bulk", message: "message \(index)") { result in
                    completions.update { $0[index] += 1 }
                    if (try? result.get()) != 1 { failures.update { $0 += 1 } }
                }
            }
            return client.value.pendingCommands
        }
        #expect(maximumPending == count)
        try await waitUntil("every command to complete", timeout: .seconds(20)) {
            completions.value.allSatisfy { $0 >= 1 }
        }
        #expect(completions.value.allSatisfy { $0 == 1 })
        #expect(failures.value == 0)
        try await waitUntil("every message", timeout: .seconds(20)) { messages.value.count >= count }
        #expect(messages.value.map(\.text) == (0..<count).map { "message \($0)" })
        #expect(try await thread.submit { client.value.pendingCommands } == 0)

        #expect(
            await thread.shutdown {
                client.value.close()
                subscriber.value.close()
            } == 0)
        #expect(completions.value.allSatisfy { $0 == 1 })
    }

    @Test func aSubscriberWithoutChannelsStillConnects() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let subscriber = try await thread.makeSubscriber(
            fastRedisConfiguration(redis.url), channels: [], messages: Shared([]))
        try await thread.connected(subscriber)
        #expect(await thread.shutdown { subscriber.value.close() } == 0)
    }
}

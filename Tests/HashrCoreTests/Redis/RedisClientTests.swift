import HashrTestSupport
import Logging
import Testing

@testable import HashrCore

/// Commands, replies, AUTH and SELECT against a real redis-server.
@Suite struct RedisClientTests {
    @Test func commandsAndEveryReplyType() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(client)

        #expect(try await thread.send(client, ["SET", "greeting", "hello"]).get() == .status("OK"))
        #expect(try await thread.send(client, ["GET", "greeting"]).get() == .bulk(Array("hello".utf8)))
        #expect(try await thread.send(client, ["GET", "missing"]).get() == .null)
        #expect(try await thread.send(client, ["INCRBY", "counter", "-5"]).get() == .integer(-5))
        #expect(try await thread.send(client, ["RPUSH", "list", "a", "", "c"]).get() == .integer(3))
        #expect(
            try await thread.send(client, ["LRANGE", "list", "0", "-1"]).get()
                == .array([.bulk(Array("a".utf8)), .bulk([]), .bulk(Array("c".utf8))]))
        let wrongType = await thread.send(client, ["INCR", "greeting"])
        guard case .errorReply(let message) = wrongType.redisError else {
            Issue.record("expected an error reply, got \(wrongType)")
            return
        }
        #expect(message.contains("not an integer"))
        // An error inside a transaction's result is a nested reply, not a failed command.
        #expect(try await thread.send(client, ["MULTI"]).get() == .status("OK"))
        #expect(try await thread.send(client, ["INCR", "greeting"]).get() == .status("QUEUED"))
        guard case .array(let results) = try await thread.send(client, ["EXEC"]).get(), case .error = results.first
        else {
            Issue.record("expected an array holding an error")
            return
        }

        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func resolvesHostNames() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(RedisURL(host: "localhost", port: redis.port)))
        try await thread.connected(client)
        #expect(try await thread.send(client, ["PING"]).get() == .status("PONG"))
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func argumentsAreBinarySafe() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(client)
        let key: [UInt8] = [0, 13, 10, 255, 32]
        let value = (0...255).map { UInt8($0) } + Array("\r\n$3\r\n".utf8) + [0, 0]
        let set = await thread.submitAsync { complete in
            client.value.send([Array("SET".utf8), key, value]) { complete($0) }
        }
        #expect(try set.get() == .status("OK"))
        let get = await thread.submitAsync { complete in client.value.send([Array("GET".utf8), key]) { complete($0) } }
        #expect(try get.get() == .bulk(value))
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    /// Commands are written when the loop's iteration ends; one too big for the socket to take at
    /// once (24 MiB) is finished when the socket has room again, and the commands queued behind it follow.
    @Test func anIterationsCommandsTooBigForTheSocketAreWrittenInFull() async throws {
        let redis = try await RedisServerProcess.started()
        let thread = try EventLoopThread()
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(client)
        var pattern = [UInt8](repeating: UInt8(ascii: "v"), count: 24 << 20)
        for index in stride(from: 0, to: pattern.count, by: 4096) { pattern[index] = UInt8(truncatingIfNeeded: index >> 12) }
        let value = pattern
        let replies = await thread.submitAsync { complete in
            var results: [Result<RedisReply, RedisError>] = []
            let commands = [[Array("SET".utf8), Array("big".utf8), value], [Array("INCR".utf8), Array("n".utf8)],
                [Array("STRLEN".utf8), Array("big".utf8)]]
            for command in commands {
                _ = client.value.send(command) { result in
                    results.append(result)
                    if results.count == commands.count { complete(results) }
                }
            }
        }
        #expect(try replies.map { try $0.get() } == [.status("OK"), .integer(1), .integer(Int64(value.count))])
        #expect(try await thread.send(client, ["GET", "big"]).get() == .bulk(value))
        #expect(await thread.shutdown { client.value.close() } == 0)
    }

    @Test func authenticatesAndSelectsTheDatabase() async throws {
        let password = "s3cret-Pa55"
        let redis = try await RedisServerProcess.started(password: password)
        let logs = LogCapture()
        let thread = try EventLoopThread()
        var db3 = redis.url
        db3.database = 3
        let writer = try await thread.makeClient(fastRedisConfiguration(db3), logger: logs.logger(label: "redis-test", level: .trace))
        let reader = try await thread.makeClient(fastRedisConfiguration(db3), logger: logs.logger(label: "redis-test", level: .trace))
        let db0 = try await thread.makeClient(fastRedisConfiguration(redis.url), logger: logs.logger(label: "redis-test", level: .trace))
        for client in [writer, reader, db0] { try await thread.connected(client) }

        #expect(try await thread.send(writer, ["SET", "where", "three"]).get() == .status("OK"))
        #expect(try await thread.send(reader, ["GET", "where"]).get() == .bulk(Array("three".utf8)))
        #expect(try await thread.send(db0, ["GET", "where"]).get() == .null)

        // An ACL user: AUTH user password.
        let aclPassword = "alice-Pa55word"
        let setUser = await thread.send(db0, ["ACL", "SETUSER", "alice", "on", ">\(aclPassword)", "~*", "&*", "+@all"])
        #expect(try setUser.get() == .status("OK"))
        let alice = try await thread.makeClient(
            fastRedisConfiguration(
                RedisURL(host: "127.0.0.1", port: redis.port, username: "alice", password: aclPassword)),
            logger: logs.logger(label: "redis-test", level: .trace))
        try await thread.connected(alice)
        #expect(try await thread.send(alice, ["ACL", "WHOAMI"]).get() == .bulk(Array("alice".utf8)))

        #expect(await thread.shutdown { for client in [writer, reader, db0, alice] { client.value.close() } } == 0)
        for line in logs.lines {
            #expect(!line.contains(password) && !line.contains(aclPassword), "password in log: \(line)")
        }
        #expect(logs.lines.contains { $0.contains("connected to Redis") })
    }

    @Test func wrongPasswordIsAClearErrorAndNeverLogged() async throws {
        let redis = try await RedisServerProcess.started(password: "the-right-one")
        let logs = LogCapture()
        let thread = try EventLoopThread()
        var url = redis.url
        url.password = "not-the-Right-0ne"
        let states = Shared<[RedisConnectionState]>([])
        let client = try await thread.makeClient(fastRedisConfiguration(url), logger: logs.logger(label: "redis-test", level: .trace), states: states)
        let missingAuth = try await thread.makeClient(
            fastRedisConfiguration(RedisURL(host: "127.0.0.1", port: redis.port)))

        try await waitUntil("the AUTH failure to be reported") {
            try await thread.submit { client.value.lastError != nil }
        }
        let error = try await thread.submit { client.value.lastError }
        guard case .handshakeFailed(let message) = error else {
            Issue.record("expected a refused AUTH, got \(String(describing: error))")
            return
        }
        #expect(message.contains("WRONGPASS") || message.contains("invalid"))
        #expect(await thread.send(client, ["PING"]).redisError == .notConnected)
        // It keeps trying (the password may be fixed on the server), but never connects.
        try await waitUntil("three disconnects") { states.value.filter { $0 == .disconnected }.count >= 3 }
        #expect(!states.value.contains(.connected))
        // Without AUTH, the PING of the handshake is refused: also a handshake failure.
        try await waitUntil("the handshake without AUTH to be refused") {
            if case .handshakeFailed(let text) = try await thread.submit({ missingAuth.value.lastError }) {
                return text.contains("NOAUTH")
            }
            return false
        }

        #expect(
            await thread.shutdown {
                client.value.close()
                missingAuth.value.close()
            } == 0)
        #expect(!logs.lines.isEmpty)
        for line in logs.lines {
            #expect(!line.contains("not-the-Right-0ne"), "password in log: \(line)")
        }
        #expect(!"\(error!)".contains("not-the-Right-0ne"))
    }

    @Test func theSubscriberAuthenticatesToo() async throws {
        let redis = try await RedisServerProcess.started(password: "sub-Pa55")
        let thread = try EventLoopThread()
        let messages = Shared<[RedisSubscriber.Message]>([])
        let subscriber = try await thread.makeSubscriber(
            fastRedisConfiguration(redis.url), channels: ["news"], messages: messages)
        let client = try await thread.makeClient(fastRedisConfiguration(redis.url))
        try await thread.connected(subscriber)
        try await thread.connected(client)
        let receivers = await thread.submitAsync { complete in
            client.value.publish(channel: "news", message: "authenticated") { complete($0) }
        }
        #expect(try receivers.get() == 1)
        try await waitUntil("the message sent after AUTH") { messages.value.map(\.text) == ["authenticated"] }
        #expect(
            await thread.shutdown {
                client.value.close()
                subscriber.value.close()
            } == 0)
    }
}

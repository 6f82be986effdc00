import HashrTestSupport
import Testing

@testable import HashrCore

/// Slowloris and idle keep-alive connections, with short configured timeouts.
@Suite struct HTTPServerTimeoutTests {
    @Test func tricklingHeadersGets408AndClose() async throws {
        let server = try await TestServer.start(configure: {
            $0.requestTimeout = .milliseconds(200)
            $0.idleTimeout = .seconds(30)
        })
        let client = try server.client()
        let clock = ContinuousClock()
        let started = clock.now
        // One byte every 20 ms: always progressing, never finishing in time.
        var sent = 0
        let request = Array(get("/hello", String(repeating: "X-Slow: yes\r\n", count: 20)).utf8)
        while sent < request.count, !(await client.isReadable(within: 20)) {
            try await client.send([request[sent]])
            sent += 1
        }
        let response = try await client.readResponse()
        let elapsed = clock.now - started
        #expect(sent < request.count)
        #expect(response.status == 408)
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        #expect(elapsed >= .milliseconds(180))
        // The request timeout, not the 30 s idle one (with room for a test task held up for seconds).
        #expect(elapsed < .seconds(15))
        #expect(await server.stop() == 0)
    }

    @Test func aSlowBodyTimesOutToo() async throws {
        let server = try await TestServer.start(configure: { $0.requestTimeout = .milliseconds(200) })
        let client = try server.client()
        try await client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly some")
        let response = try await client.readResponse()
        #expect(response.status == 408)
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let server = try await TestServer.start(configure: {
            $0.idleTimeout = .milliseconds(300)
            $0.requestTimeout = .seconds(30)
        })
        let client = try server.client()
        // Timed from before the request: the idle time starts after the answer, so this is a
        // lower bound however late this task gets to run.
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try await client.exchange(get("/hello")).status == 200)
        #expect(try await client.waitForClose())
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(280))
        #expect(elapsed < .seconds(15))  // the idle timeout, not the 30 s request one
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }

    @Test func aConnectionThatNeverSendsIsClosedWhenIdle() async throws {
        let server = try await TestServer.start(configure: { $0.idleTimeout = .milliseconds(200) })
        let client = try server.client()
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func activityKeepsAConnectionOpen() async throws {
        // Requests 100 ms apart on one connection for longer than the idle timeout. A test task held
        // up for seconds (a busy machine) can leave a real idle gap: the server may then close, and
        // that is checked to be justified (the gap between the two sends is at least the timeout:
        // the server's idle time lies inside it), and a new connection tries again.
        let idle = Duration.seconds(3)
        let server = try await TestServer.start(configure: { $0.idleTimeout = idle })
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var client = try server.client()
        var runStarted = clock.now
        var lastSent = clock.now
        while clock.now - runStarted < idle + .seconds(1) {
            try #require(clock.now < deadline, "no connection outlived the idle timeout through activity")
            let sent = clock.now
            do {
                #expect(try await client.exchange(get("/hello")).status == 200)
            } catch {
                #expect(sent - lastSent >= idle, "closed after \(sent - lastSent) without a request: \(error)")
                client.close()
                client = try server.client()
                runStarted = clock.now
                lastSent = clock.now
                continue
            }
            lastSent = sent
            try await Task.sleep(for: .milliseconds(100))
        }
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func aSlowHandlerIsNotARequestTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.requestTimeout = .milliseconds(100) })
        let client = try server.client()
        #expect(try await client.exchange(get("/delay?ms=300&id=slow")).text == "slow\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func aClientThatStopsReadingTheLastAnswerIsCutOff() async throws {
        // Long enough to see the connection open before it is cut off, even from a test task held
        // up for seconds.
        let (server, client) = try await TestServer.startWithAClientThatStopsReading { $0.idleTimeout = .seconds(4) }
        try await waitUntil("one open connection") { try await server.connectionCount == 1 }
        try await waitUntil("no open connection", timeout: .seconds(30)) { try await server.connectionCount == 0 }
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func aClosedConnectionLeavesNoTimerBehind() async throws {
        let server = try await TestServer.start(configure: { $0.idleTimeout = .milliseconds(100) })
        // Each closes gracefully after its answer; their timers must go with them, or they fire
        // later on freed connections.
        for _ in 0..<5 {
            let client = try server.client()
            #expect(try await client.exchange(get("/hello", "Connection: close\r\n")).status == 200)
            #expect(try await client.waitForClose())
        }
        try await Task.sleep(for: .milliseconds(250))
        // The server still serves. With its idle timeout of 100 ms, a test task held up that long
        // between connecting and sending (a busy machine: CI saw it) finds its connection closed;
        // such a close is accepted only when the time since connecting covered the timeout, and a new
        // connection tries again.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while true {
            try #require(clock.now < deadline, "no connection was answered within the idle timeout")
            let connecting = clock.now
            let client = try server.client()
            defer { client.close() }
            do {
                #expect(try await client.exchange(get("/hello")).status == 200)
                break
            } catch {
                let waited = clock.now - connecting
                #expect(waited >= .milliseconds(100), "closed after \(waited) without a request: \(error)")
            }
        }
        #expect(await server.stop() == 0)
    }
}

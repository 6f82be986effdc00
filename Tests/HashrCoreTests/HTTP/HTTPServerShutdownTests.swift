import HashrTestSupport
import Testing

@testable import HashrCore

/// Graceful shutdown: in-flight requests finish, idle connections close, nothing new gets in.
@Suite struct HTTPServerShutdownTests {
    /// Starts the server's graceful shutdown and, on the same loop turn, has every parked request
    /// answered 300 ms later. The flag turns true when the shutdown's completion runs.
    func beginShutdown(_ server: TestServer, answering parked: ParkedResponders? = nil) async throws -> Shared<Bool> {
        let completed = Shared(false)
        try await server.thread.submit { [bound = server.server] in
            bound.value.shutdown { completed.update { $0 = true } }
            parked?.answerAll("done", after: .milliseconds(300), on: bound.loop)
        }
        return completed
    }

    /// A server whose `/work` requests wait until the test answers them. Its grace period is long:
    /// these tests answer within it, and a busy machine must not run it out first.
    func serverWithParking(_ parked: ParkedResponders) async throws -> TestServer {
        try await TestServer.start(configure: { $0.shutdownGracePeriod = .seconds(60) }, routes: { router, _ in
            router.get("/work") { _, responder in parked.park(responder) }
        })
    }

    func parkedCount(_ parked: ParkedResponders, _ server: TestServer) async throws -> Int {
        try await server.thread.submit { parked.count }
    }

    @Test func inFlightRequestsFinishIdleOnesCloseNewOnesAreRefused() async throws {
        let parked = ParkedResponders()
        let server = try await serverWithParking(parked)
        let idle = try server.client()
        #expect(try await idle.exchange(get("/hello")).status == 200)
        let busy = try server.client()
        try await busy.send(get("/work"))
        try await waitUntil("one parked request") { try await parkedCount(parked, server) == 1 }

        // The parked request is answered only after these checks, however late this task runs.
        let completed = try await beginShutdown(server)
        #expect(try await idle.waitForClose())
        #expect(throws: TestClientError.self) { try server.client() }
        #expect(!completed.value)
        try await server.thread.submit { [loop = server.server.loop] in parked.answerAll("done", after: .zero, on: loop) }

        let response = try await busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "done\n")
        #expect(response.headers["Connection"] == "close")
        #expect(try await busy.waitForClose())
        try await waitUntil("the shutdown to complete") { completed.value }
        #expect(await server.stop() == 0)
    }

    @Test func pipelinedRequestsBehindTheInFlightOneAreNotStarted() async throws {
        let parked = ParkedResponders()
        let server = try await serverWithParking(parked)
        let client = try server.client()
        try await client.send(get("/work") + get("/hello"))
        try await waitUntil("one parked request") { try await parkedCount(parked, server) == 1 }
        let completed = try await beginShutdown(server, answering: parked)
        let response = try await client.readResponse()
        #expect(response.text == "done\n")
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        try await waitUntil("the shutdown to complete") { completed.value }
        #expect(await server.stop() == 0)
    }

    @Test func shutdownWithNoConnectionsCompletesAtOnce() async throws {
        let server = try await TestServer.start()
        let completed = try await beginShutdown(server)
        #expect(completed.value)
        #expect(await server.stop() == 0)
    }

    @Test func streamsAreEndedCleanly() async throws {
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/forever") { _, responder in
                responder.startStream()?.write(Array("first\n".utf8))
            }
        })
        let client = try server.client()
        try await client.send(get("/forever"))
        _ = await client.isReadable(within: 1000)
        let completed = try await beginShutdown(server)
        let response = try await client.readResponse()
        #expect(response.text == "first\n")
        #expect(try await client.waitForClose())
        try await waitUntil("the shutdown to complete") { completed.value }
        #expect(await server.stop() == 0)
    }

    @Test func whatIsLeftAfterTheGracePeriodIsClosed() async throws {
        let server = try await TestServer.start(
            configure: { $0.shutdownGracePeriod = .milliseconds(200) },
            routes: { router, _ in router.get("/never") { _, _ in } })
        let client = try server.client()
        try await client.send(get("/never"))
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let started = clock.now
        let completed = try await beginShutdown(server)
        #expect(try await client.waitForClose())
        try await waitUntil("the shutdown to complete") { completed.value }
        #expect(clock.now - started < .seconds(10))  // without the grace period it would never end
        #expect(await server.stop() == 0)
    }

    @Test func aClientThatStopsReadingCannotHoldUpShutdown() async throws {
        let (server, client) = try await TestServer.startWithAClientThatStopsReading { $0.shutdownGracePeriod = .milliseconds(200) }
        try await Task.sleep(for: .milliseconds(100))
        let completed = try await beginShutdown(server)
        try await waitUntil("the shutdown to complete", timeout: .seconds(3)) { completed.value }
        client.close()
        #expect(await server.stop() == 0)
    }
}

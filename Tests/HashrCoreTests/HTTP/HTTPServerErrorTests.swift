import HashrTestSupport
import Testing

@testable import HashrCore

/// Bad requests and limits: the answer, then a closed connection, and everyone else unaffected.
@Suite struct HTTPServerErrorTests {
    /// Sends `request` and checks the answer has `status`, a JSON error body, `Connection: close`,
    /// and that the connection is then closed.
    func expectRejection(
        _ request: String, status: Int, server: TestServer, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let client = try server.client()
        let response = try await client.exchange(request)
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers["Content-Type"] == "application/json", sourceLocation: sourceLocation)
        #expect(response.text.hasPrefix("{\"error\":\""), sourceLocation: sourceLocation)
        #expect(response.headers["Connection"] == "close", sourceLocation: sourceLocation)
        #expect(try await client.waitForClose(), sourceLocation: sourceLocation)
    }

    @Test func badRequestGets400AndCloseWhileOthersGoOn() async throws {
        let server = try await TestServer.start()
        let bystander = try server.client()
        #expect(try await bystander.exchange(get("/hello")).status == 200)

        let client = try server.client()
        let response = try await client.exchange("GET / HTTP/1.1\r\nHost: test\r\nX-Bad: \u{01}\r\n\r\n")
        #expect(response.status == 400)
        #expect(response.text == "{\"error\":\"bad request: control character in header field value\"}\n")
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())

        #expect(try await bystander.exchange(get("/hello")).status == 200)
        bystander.close()
        #expect(await server.stop() == 0)
    }

    @Test func smugglingShapesAreRefused() async throws {
        let server = try await TestServer.start()
        try await expectRejection(
            "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 400, server: server)
        try await expectRejection(
            "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400,
            server: server)
        try await expectRejection("GET / HTTP/1.1\r\nHost: test\r\nX: a\r\n b\r\n\r\n", status: 400, server: server)
        try await expectRejection("GET / HTTP/1.1\nHost: test\n\n", status: 400, server: server)
        try await expectRejection("GET / HTTP/1.1\r\n\r\n", status: 400, server: server)
        #expect(await server.stop() == 0)
    }

    @Test func unsupportedVersionAndCoding() async throws {
        let server = try await TestServer.start()
        try await expectRejection("GET / HTTP/2.0\r\nHost: test\r\n\r\n", status: 505, server: server)
        try await expectRejection(
            "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501, server: server
        )
        #expect(await server.stop() == 0)
    }

    @Test func limitsGiveTheirStatuses() async throws {
        let server = try await TestServer.start(configure: {
            $0.limits.maxStartLineLength = 64
            $0.limits.maxHeaderBytes = 256
            $0.limits.maxHeaderCount = 8
            $0.limits.maxBodyBytes = 16
        })
        try await expectRejection(get("/" + String(repeating: "a", count: 100)), status: 414, server: server)
        try await expectRejection(
            get("/hello", "X-Big: \(String(repeating: "b", count: 300))\r\n"), status: 431, server: server)
        try await expectRejection(get("/hello", String(repeating: "X: y\r\n", count: 10)), status: 431, server: server)
        try await expectRejection(
            "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 17\r\n\r\n", status: 413, server: server)
        try await expectRejection(
            "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n0\r\n\r\n",
            status: 413, server: server)
        // Right at the limits is fine.
        let client = try server.client()
        let response = try await client.exchange(
            "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 16\r\n\r\n0123456789abcdef")
        #expect(response.text == "0123456789abcdef")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func anErrorAfterGoodPipelinedRequestsComesAfterTheirAnswers() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send(get("/delay?ms=30&id=first") + get("/hello") + "BROKEN\r\n\r\n")
        #expect(try await client.readResponse().text == "first\n")
        #expect(try await client.readResponse().text == "hello\n")
        let error = try await client.readResponse()
        #expect(error.status == 400)
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func connectionCap() async throws {
        let server = try await TestServer.start(configure: { $0.maxConnections = 2 })
        let first = try server.client()
        let second = try server.client()
        #expect(try await first.exchange(get("/hello")).status == 200)
        #expect(try await second.exchange(get("/hello")).status == 200)

        // The third is accepted by the kernel, then closed by the server without an answer.
        let third = try server.client()
        try? await third.send(get("/hello"))
        #expect(try await third.waitForClose())
        #expect(try await server.connectionCount == 2)

        first.close()
        try await waitUntil("one open connection") { try await server.connectionCount == 1 }
        let fourth = try server.client()
        #expect(try await fourth.exchange(get("/hello")).status == 200)
        second.close()
        fourth.close()
        #expect(await server.stop() == 0)
    }
}

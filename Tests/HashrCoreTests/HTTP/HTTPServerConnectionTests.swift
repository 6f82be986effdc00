import HashrTestSupport
import Testing

@testable import HashrCore

/// Keep-alive, pipelining, request bodies, `Expect`, `Connection: close` and HTTP/1.0.
@Suite struct HTTPServerConnectionTests {
    @Test func keepAliveReusesOneConnection() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        for index in 0..<10 {
            let response = try await client.exchange(get("/delay?id=\(index)"))
            #expect(response.text == "\(index)\n")
            #expect(response.headers["Connection"] == nil)
        }
        #expect(try await server.connectionCount == 1)
        client.close()
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send(
            get("/hello") + "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc" + get("/nowhere")
                + "HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n" + get("/hello"))
        #expect(try await client.readResponse().text == "hello\n")
        #expect(try await client.readResponse().text == "abc")
        #expect(try await client.readResponse().status == 404)
        let head = try await client.readResponse(toHEAD: true)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try await client.readResponse().text == "hello\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func pipelinedRequestsStayInOrderWhenHandlersAnswerLater() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        // The slow ones come first: a server answering as handlers finish would reorder these.
        let delays = [120, 0, 60, 0, 30, 0]
        try await client.send(delays.enumerated().map { get("/delay?ms=\($1)&id=r\($0)") }.joined())
        for index in delays.indices {
            #expect(try await client.readResponse().text == "r\(index)\n")
        }
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func manyPipelinedRequestsInOneWrite() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        // More than one read buffer's worth, so the server has to pause reading and resume.
        let count = 2_000
        try await client.send(String(repeating: get("/hello"), count: count))
        for _ in 0..<count {
            #expect(try await client.readResponse().text == "hello\n")
        }
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func chunkedRequestBody() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send(
            "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n")
        try await Task.sleep(for: .milliseconds(20))
        try await client.send("1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "hello world")
        #expect(response.headers["X-Body-Length"] == "11")
        // The connection goes on after a chunked body.
        #expect(try await client.exchange(get("/hello")).status == 200)
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func expectContinueGetsAnInterimResponse() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try await client.readResponse()
        #expect(interim.status == 100)
        try await client.send("data")
        let final = try await client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "data")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(get("/hello", "Connection: close\r\n"))
        #expect(response.status == 200)
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }

    @Test func http10ClosesAfterEachResponse() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange("GET /hello HTTP/1.0\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.text == "hello\n")
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func http10KeepAliveOnRequest() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        for _ in 0..<3 {
            let response = try await client.exchange("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(response.text == "hello\n")
            #expect(response.headers["Connection"] == "keep-alive")
        }
        let last = try await client.exchange("GET /hello HTTP/1.0\r\n\r\n")
        #expect(last.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func halfClosedClientStillGetsItsAnswer() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.sendLast(get("/delay?ms=50&id=late"))
        let response = try await client.readResponse()
        #expect(response.text == "late\n")
        #expect(response.headers["Connection"] == "close")
        #expect(try await client.waitForClose())
        #expect(await server.stop() == 0)
    }

    @Test func clientLeavingBeforeTheAnswerIsHarmless() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send(get("/delay?ms=50&id=gone"))
        client.close()
        try await Task.sleep(for: .milliseconds(100))
        let other = try server.client()
        #expect(try await other.exchange(get("/hello")).status == 200)
        other.close()
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }

    @Test func aClientGoingAwayMidAnswerLeavesTheServerServing() async throws {
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 16 * 1024 * 1024)
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/big") { _, responder in responder.respond(HTTPResponse(status: 200, body: big)) }
        })
        // Each goes away with most of the answer unread: the server's writes then fail (EPIPE,
        // reset), which must neither kill the process (SIGPIPE) nor leak the connection.
        for _ in 0..<3 {
            let client = try server.client(receiveBuffer: 4096)
            try await client.send(get("/big"))
            _ = try await client.receive()
            client.close()
        }
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        let other = try server.client()
        #expect(try await other.exchange(get("/hello")).status == 200)
        other.close()
        #expect(await server.stop() == 0)
    }
}

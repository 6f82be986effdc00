import HashrTestSupport
import Testing

@testable import HashrCore

/// CORS and the access log wrap every exchange: handlers' answers, the router's, streams, and the
/// answers the server makes itself for requests no handler saw (400, 408, 413).
@Suite struct HTTPServerWrapperTests {
    @Test func wrappersAreComposedFromTheConfiguration() async throws {
        let plain = try await TestServer.start()
        let withCORS = try await TestServer.start(configure: { $0.corsAllowOrigin = "https://example.test" })
        let plainNames = try await plain.inspect { $0.wrappers.map { String(describing: type(of: $0)) } }
        let corsNames = try await withCORS.inspect { $0.wrappers.map { String(describing: type(of: $0)) } }
        #expect(plainNames == ["HTTPServerMetrics", "AccessLog"])
        #expect(corsNames == ["HTTPServerMetrics", "CORSWrapper", "AccessLog"])
        #expect(await plain.stop() == 0)
        #expect(await withCORS.stop() == 0)
    }

    @Test func everyAnswerCarriesCORSAndIsLogged() async throws {
        let lines = LogCapture()
        let server = try await TestServer.start(
            logger: lines.logger(),
            configure: {
                $0.corsAllowOrigin = "*"
                $0.limits.maxBodyBytes = 16
                $0.requestTimeout = .milliseconds(200)
            })
        var statuses: [Int] = []
        func check(_ request: String, status: Int, closes: Bool = false) async throws {
            let client = try server.client()
            let response = try await client.exchange(request)
            #expect(response.status == status)
            #expect(response.headers["Access-Control-Allow-Origin"] == "*", "\(status)")
            if closes { #expect(try await client.waitForClose()) }
            client.close()
            statuses.append(status)
        }
        try await check(get("/hello"), status: 200)
        try await check(get("/nowhere"), status: 404)
        try await check("DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n", status: 405)
        try await check(get("/stream?chunks=2"), status: 200)
        try await check("OPTIONS /hello HTTP/1.1\r\nHost: test\r\n\r\n", status: 204)
        // The server's own answers.
        try await check("BROKEN\r\n\r\n", status: 400, closes: true)
        try await check("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 17\r\n\r\n", status: 413, closes: true)

        let slow = try server.client()
        try await slow.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc")
        let timedOut = try await slow.readResponse()
        #expect(timedOut.status == 408)
        #expect(timedOut.headers["Access-Control-Allow-Origin"] == "*")
        #expect(try await slow.waitForClose())
        statuses.append(408)
        #expect(await server.stop() == 0)

        // One access line per answer, each with its status.
        let access = lines.messages.filter { $0.hasSuffix("B") }
        #expect(access.count == statuses.count, "\(access)")
        for status in statuses {
            #expect(access.contains { $0.split(separator: " ").dropFirst(2).first == Substring(String(status)) }, "\(status) in \(access)")
        }
        #expect(access.contains { $0.hasPrefix("- - 400 ") })
        // A body over the limit is refused before its head reaches the connection.
        #expect(access.contains { $0.hasPrefix("- - 413 ") })
        #expect(access.contains { $0.hasPrefix("POST /echo 408 ") })
        #expect(access.contains { $0.hasPrefix("OPTIONS /hello 204 ") })
    }

    @Test func withoutCORSNoAnswerHasItAndOPTIONSIsRouted() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange("OPTIONS /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(response.status == 405)
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(try await client.exchange("BROKEN\r\n\r\n").headers["Access-Control-Allow-Origin"] == nil)
        #expect(await server.stop() == 0)
    }

    @Test func corsWrapperAnswersPreflightsAndDecoratesHeads() {
        var router = HTTPRouter()
        router.get("/a") { _, _ in }
        router.post("/a") { _, _ in }
        let cors = CORSWrapper(allowOrigin: "https://example.test", router: router)
        let preflight = HTTPRequest(
            head: HTTPRequestHead(method: "OPTIONS", target: "/a?x=1", headers: HTTPHeaders([("Access-Control-Request-Headers", "X-Y")])))
        let answer = cors.intercept(preflight)
        #expect(answer?.route == "preflight")
        #expect(answer?.response.status == 204)
        #expect(answer?.response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, OPTIONS")
        #expect(answer?.response.headers["Access-Control-Allow-Headers"] == "X-Y")
        #expect(answer?.response.headers["Access-Control-Max-Age"] == "600")
        let unknown = cors.intercept(HTTPRequest(head: HTTPRequestHead(method: "OPTIONS", target: "/b")))
        #expect(unknown?.response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, PUT, OPTIONS")
        #expect(unknown?.response.headers["Access-Control-Allow-Headers"] == "Content-Type")
        #expect(cors.intercept(HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/a"))) == nil)
        #expect(cors.addedFields == HTTPHeaders([("Access-Control-Allow-Origin", "https://example.test")]))
    }
}

import HashrTestSupport
import Logging
import Testing

@testable import HashrCore

/// The core's client against the core's server on loopback.
@Suite struct ClientServerTests {
    /// A server with a few routes on its own loop thread.
    struct Harness {
        let thread: EventLoopThread
        let server: LoopBound<HTTPServer>
        let client: LoopBound<HTTPClient>
        let endpoint: HTTPEndpoint

        static func start(
            client clientConfiguration: HTTPClient.Configuration = HTTPClient.Configuration(),
            configure: @escaping @Sendable (inout HTTPServer.Configuration) -> Void = { _ in }
        ) async throws -> Harness {
            let thread = try EventLoopThread()
            let loop = thread.loop
            let (server, client, port) = try await thread.submit { () -> (LoopBound<HTTPServer>, LoopBound<HTTPClient>, Int) in
                var router = HTTPRouter()
                router.get("/hello") { _, responder in responder.respond(.text("hello")) }
                router.post("/echo") { request, responder in responder.respond(HTTPResponse(status: 200, body: request.body)) }
                router.get("/slow") { _, responder in
                    // The timer closes itself when it fires: the closure holds it until then.
                    var timer: LoopTimer?
                    timer = LoopTimer(loop: loop) {
                        timer?.close()
                        timer = nil
                        responder.respond(.text("slow"))
                    }
                    timer?.start(after: .milliseconds(200))
                }
                router.get("/chunked") { _, responder in
                    guard let stream = responder.startStream() else { return }
                    stream.write(Array("part one,".utf8))
                    stream.write(Array("part two".utf8))
                    stream.end()
                }
                var configuration = HTTPServer.Configuration()
                configuration.host = "127.0.0.1"
                configuration.port = 0
                configure(&configuration)
                var logger = Logger(label: "test")
                logger.logLevel = .warning
                let server = HTTPServer(loop: loop, configuration: configuration, router: router, metrics: ServiceMetrics(), logger: logger)
                try server.start()
                let client = HTTPClient(loop: loop, configuration: clientConfiguration)
                return (LoopBound(server, loop: loop), LoopBound(client, loop: loop), server.port)
            }
            return Harness(thread: thread, server: server, client: client, endpoint: HTTPEndpoint(host: "127.0.0.1", port: port))
        }

        func request(_ method: String, _ path: String, body: [UInt8] = [], timeout: Duration? = nil) async -> Result<HTTPClientResponse, HTTPClientError> {
            let client = self.client
            let request = HTTPClientRequest(method: method, endpoint: endpoint, path: path, body: body, timeout: timeout)
            return await thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
        }

        func connectionCount() async throws -> Int {
            let client = self.client
            return try await thread.submit { client.value.connectionCount }
        }

        func stop() async -> Int32 {
            let server = self.server
            let client = self.client
            return await thread.shutdown {
                client.value.close()
                server.value.shutdown()
            }
        }
    }

    @Test func getReusesOneConnection() async throws {
        let harness = try await Harness.start()
        for _ in 0..<20 {
            let response = try await harness.request("GET", "/hello").get()
            #expect(response.status == 200)
            #expect(response.body == Array("hello\n".utf8))
        }
        #expect(try await harness.connectionCount() == 1)
        #expect(await harness.stop() == 0)
    }

    @Test func postBodyRoundTrips() async throws {
        let harness = try await Harness.start()
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        let response = try await harness.request("POST", "/echo", body: body).get()
        #expect(response.body == body)
        #expect(await harness.stop() == 0)
    }

    @Test func chunkedResponseIsReassembled() async throws {
        let harness = try await Harness.start()
        let response = try await harness.request("GET", "/chunked").get()
        #expect(response.headers["transfer-encoding"] == "chunked")
        #expect(String(decoding: response.body, as: UTF8.self) == "part one,part two")
        // The connection is still good for another request after a chunked body.
        #expect(try await harness.request("GET", "/hello").get().status == 200)
        #expect(await harness.stop() == 0)
    }

    @Test func notFoundAndMethodNotAllowed() async throws {
        let harness = try await Harness.start()
        let missing = try await harness.request("GET", "/nope").get()
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self).contains("\"error\""))
        let wrongMethod = try await harness.request("DELETE", "/hello").get()
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD")
        let head = try await harness.request("HEAD", "/hello").get()
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "6")
        #expect(await harness.stop() == 0)
    }

    @Test func aCallerNeedingNoHeadersGetsOnlyTheFramingOnes() async throws {
        let harness = try await Harness.start()
        let client = harness.client
        var template = HTTPClientRequest(method: "POST", endpoint: harness.endpoint, path: "/echo", body: Array("hi".utf8))
        template.needsResponseHeaders = false
        template.encodeHeadOnce()
        let request = template
        let result = await harness.thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
        let response = try result.get()
        #expect(response.status == 200 && response.body == Array("hi".utf8))
        #expect(response.headers.fields.map { $0.name.lowercased() } == ["content-length"])
        // The connection's next caller wants every field again.
        let full = try await harness.request("GET", "/hello").get()
        #expect(full.headers["content-type"] != nil && full.headers["date"] != nil)
        #expect(await harness.stop() == 0)
    }

    @Test func timeoutIsReported() async throws {
        let harness = try await Harness.start()
        let result = await harness.request("GET", "/slow", timeout: .milliseconds(50))
        #expect(throws: HTTPClientError.timeout(after: .milliseconds(50))) { try result.get() }
        #expect(await harness.stop() == 0)
    }

    @Test func refusedConnectionIsReported() async throws {
        let harness = try await Harness.start()
        let port = harness.endpoint.port
        #expect(await harness.stop() == 0)
        let other = try await Harness.start()
        let client = other.client
        let request = HTTPClientRequest(endpoint: HTTPEndpoint(host: "127.0.0.1", port: port), path: "/hello")
        let result = await other.thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
        #expect(throws: HTTPClientError.connectionRefused(address: "127.0.0.1:\(port)")) { try result.get() }
        #expect(await other.stop() == 0)
    }

    @Test func hostNamesAreResolved() async throws {
        let harness = try await Harness.start()
        let client = harness.client
        // The server listens on 127.0.0.1 alone: "localhost" must reach it whatever order the
        // resolver lists ::1 and 127.0.0.1 in.
        let request = HTTPClientRequest(endpoint: HTTPEndpoint(host: "localhost", port: harness.endpoint.port), path: "/hello")
        let result = await harness.thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
        #expect(try result.get().status == 200)
        #expect(await harness.stop() == 0)
    }

    @Test func closingTheClientDuringANameLookupFailsTheRequestOnce() async throws {
        let harness = try await Harness.start()
        let client = harness.client
        let request = HTTPClientRequest(endpoint: HTTPEndpoint(host: "localhost", port: harness.endpoint.port), path: "/hello")
        let outcomes = LockedList<String>()
        // The lookup runs on libuv's thread pool, so it cannot finish within this loop turn: the
        // client closes while it is still pending.
        try await harness.thread.submit {
            client.value.execute(request) { result in
                switch result {
                case .failure(.closed): outcomes.append("closed")
                default: outcomes.append("\(result)")
                }
            }
            client.value.close()
        }
        #expect(await harness.stop() == 0)
        #expect(outcomes.all == ["closed"])
    }

    @Test func anUnknownHostIsReported() async throws {
        let harness = try await Harness.start()
        let client = harness.client
        let request = HTTPClientRequest(endpoint: HTTPEndpoint(host: "no-such-host.invalid", port: 80), path: "/")
        let result = await harness.thread.submitAsync { complete in client.value.execute(request) { complete($0) } }
        switch result {
        case .failure(.resolveFailed(let host, let reason)):
            #expect(host == "no-such-host.invalid")
            #expect(!reason.isEmpty)
        case .failure(.timeout): break  // only where DNS itself hangs past the request timeout
        default: Issue.record("expected a resolve failure, got \(result)")
        }
        #expect(try await harness.connectionCount() == 0)
        #expect(await harness.stop() == 0)
    }

    @Test func concurrentRequestsShareACappedPool() async throws {
        // A small cap, so 2,000 requests queue for it. The request timeout (which counts the wait
        // for a connection) is long: this is about the cap, and a busy machine running the whole
        // suite at once served the 2,000 slower than the default 10 s allows.
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 16
        configuration.requestTimeout = .seconds(60)
        let harness = try await Harness.start(client: configuration)
        let client = harness.client
        let endpoint = harness.endpoint
        let results = await harness.thread.submitAsync { (complete: @escaping ([String]) -> Void) in
            var outcomes: [String] = []
            for _ in 0..<2000 {
                client.value.execute(HTTPClientRequest(endpoint: endpoint, path: "/hello")) { result in
                    outcomes.append((try? result.get().status).map(String.init) ?? "\(result)")
                    if outcomes.count == 2000 { complete(outcomes) }
                }
            }
        }
        #expect(results.count == 2000)
        #expect(results.filter { $0 != "200" }.isEmpty, "\(Set(results.filter { $0 != "200" }))")
        #expect(try await harness.connectionCount() <= 16)
        #expect(await harness.stop() == 0)
    }
}

import HashrTestSupport
import Testing

@testable import HashrCore

/// The access log and the Prometheus exposition.
@Suite struct HTTPServerObservabilityTests {
    @Test func oneAccessLogLinePerRequest() async throws {
        let lines = LogCapture()
        let server = try await TestServer.start(logger: lines.logger())
        let client = try server.client()
        _ = try await client.exchange(get("/hello?x=1"))
        _ = try await client.exchange("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc")
        _ = try await client.exchange(get("/nowhere"))
        client.close()
        #expect(await server.stop() == 0)

        let access = lines.messages.filter { $0.hasSuffix("B") }
        #expect(access.count == 3)
        let hello = access.first { $0.hasPrefix("GET /hello?x=1 200 ") }
        #expect(hello?.hasSuffix("ms 6B") == true, "\(access)")
        #expect(access.contains { $0.hasPrefix("POST /echo 200 ") && $0.hasSuffix("ms 3B") })
        #expect(access.contains { $0.hasPrefix("GET /nowhere 404 ") })
        // The duration reads as milliseconds with three decimals.
        let duration = hello?.split(separator: " ")[3]
        #expect(duration?.hasSuffix("ms") == true)
        #expect(duration?.split(separator: ".").last?.count == 5)
    }

    @Test func rejectedRequestsAreLoggedToo() async throws {
        let lines = LogCapture()
        let server = try await TestServer.start(logger: lines.logger())
        let client = try server.client()
        #expect(try await client.exchange("BROKEN\r\n\r\n").status == 400)
        #expect(await server.stop() == 0)
        #expect(lines.messages.contains { $0.hasPrefix("- - 400 ") })
    }

    @Test func metricsExposeRequestCountsByRouteAndStatus() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        for _ in 0..<3 { _ = try await client.exchange(get("/hello")) }
        _ = try await client.exchange(get("/nowhere"))
        _ = try await client.exchange("DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        let metrics = try await client.exchange(get("/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = metrics.text.split(separator: "\n").map(String.init)

        func count(route: String, status: Int) -> String? {
            let line = lines.first {
                $0.hasPrefix("http_requests_total{") && $0.contains("route=\"\(route)\"")
                    && $0.contains("status=\"\(status)\"")
            }
            return line?.split(separator: " ").last.map(String.init)
        }
        #expect(count(route: "/hello", status: 200) == "3", "\(metrics.text)")
        #expect(count(route: "unmatched", status: 404) == "1")
        #expect(count(route: "/hello", status: 405) == "1")
        #expect(
            lines.contains { $0.hasPrefix("http_request_duration_seconds_bucket{") && $0.contains("route=\"/hello\"") })
        #expect(lines.contains { $0.hasPrefix("http_request_duration_seconds_count{") })
        #expect(lines.contains { $0.hasPrefix("# TYPE http_requests_total counter") })
        client.close()
        #expect(await server.stop() == 0)
    }
}

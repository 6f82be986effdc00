import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import FrontendService

/// Issue 12's frontend half over real sockets: the rate-control key, the per-address and global
/// limits, and the security headers on every route.
@Suite(.serialized) struct FrontendSecurityTests {
    static let key = "s3cr3t-rate-control-key-0123456789"

    static func rate(_ harness: FrontendHarness) async throws -> String {
        String(decoding: try await harness.request("GET", "/api/rate").body, as: UTF8.self)
    }

    @Test func withAKeyOnlyTheRightBearerChangesTheRate() async throws {
        let logs = LogCapture()
        let harness = try await FrontendHarness(processor: .nowhere, logs: logs) {
            $0.rateControlToken = RateControlToken(Self.key)
            $0.maxRate = 100
        }
        let body = #"{"rps": 2}"#
        let refused: [(authorization: String?, invalidToken: Bool)] = [
            (nil, false),
            ("", false),
            ("Bearer", false),
            ("Bearer ", false),
            ("Basic \(Data("user:\(Self.key)".utf8).base64EncodedString())", false),
            ("Basic \(Self.key)", false),
            ("Bearer wrong-key-but-long-enough", true),
            ("Bearer \(Self.key.dropLast())", true),
            ("Bearer \(Self.key)0", true),
            ("Bearer \(Self.key.uppercased())", true),
            ("Bearer \(Self.key) extra", true),
            ("Bearer \(String(repeating: "A", count: 10 * 1024))", true),
            ("Bearer \(Self.key.replacingOccurrences(of: "-", with: "%2D"))", true),
            ("Bearer s3cr3t-rate-contröl-key-0123456789", true),
            ("Bearer \(Self.key.replacingOccurrences(of: "s", with: "ſ"))", true),
        ]
        for (authorization, invalidToken) in refused {
            let response = try await harness.putRate(body, authorization: authorization)
            let what = authorization.map { String($0.prefix(48)) } ?? "no Authorization"
            #expect(response.status == 401, "\(what)")
            #expect(response.headers["Content-Type"] == "application/json", "\(what)")
            let challenge = response.headers["WWW-Authenticate"] ?? ""
            #expect(challenge.hasPrefix(#"Bearer realm="string-hashr""#), "\(what)")
            #expect(challenge.contains(#"error="invalid_token""#) == invalidToken, "\(what): \(challenge)")
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body)).error
            #expect(error.contains("key"), "\(what): \(error)")
            #expect(!String(decoding: response.body, as: UTF8.self).contains(Self.key))
        }
        #expect(try await Self.rate(harness) == #"{"rps":0}"#, "no refused request changed the rate")
        #expect(
            try await harness.metric(#"frontend_rate_changes_refused_total{reason="unauthorized"}"#)
                == Double(refused.count))

        // The key, with the scheme in any case and extra spaces before it.
        for authorization in ["Bearer \(Self.key)", "bearer \(Self.key)", "BEARER    \(Self.key)"] {
            let response = try await harness.putRate(body, authorization: authorization)
            #expect(response.status == 200, "\(authorization.prefix(12))")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"rps":2}"#)
        }
        // The body is still checked once the key is right.
        #expect(try await harness.putRate(#"{"rps": 101}"#, authorization: "Bearer \(Self.key)").status == 400)
        #expect(try await harness.putRate(#"{"rps": 0}"#, authorization: "Bearer \(Self.key)").status == 200)

        // Watching stays open to everyone, and the page learns that a key is needed.
        #expect(try await harness.request("GET", "/").status == 200)
        #expect(try await harness.request("GET", "/api/rate").status == 200)
        let stats = try await harness.stats()
        #expect(stats.rateControl == "token")

        // The key is in no log line: not the refused attempts', not the accepted ones', not the access log's.
        let lines = logs.lines
        #expect(lines.contains { $0.contains("PUT /api/rate") && $0.contains("401") }, "the access log is captured")
        #expect(lines.contains { $0.contains("target rate") }, "the accepted change is logged")
        #expect(!lines.contains { $0.contains(Self.key) || $0.contains(String(Self.key.dropLast())) })
        #expect(!lines.contains { $0.contains("s3cr3t") })

        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func withoutAKeyRateControlStaysOpen() async throws {
        let harness = try await FrontendHarness(processor: .nowhere)
        #expect(try await harness.putRate(#"{"rps": 1}"#).status == 200)
        // A key nobody asked for is ignored, not refused.
        #expect(try await harness.putRate(#"{"rps": 0}"#, authorization: "Bearer anything").status == 200)
        #expect(try await harness.stats().rateControl == "open")
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func rateChangesPerAddressAreCappedWith429AndRefusedKeysDoNotCount() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) {
            $0.rateControlToken = RateControlToken(Self.key)
            $0.rateChangesPerMinute = 3
        }
        // Wrong keys from the same address use up none of the key holder's changes.
        for _ in 0..<5 {
            #expect(try await harness.putRate(#"{"rps": 1}"#, authorization: "Bearer nope").status == 401)
        }
        for rps in 1...3 {
            #expect(try await harness.putRate(#"{"rps": \#(rps)}"#, authorization: "Bearer \(Self.key)").status == 200)
        }
        let limited = try await harness.putRate(#"{"rps": 9}"#, authorization: "Bearer \(Self.key)")
        #expect(limited.status == 429)
        #expect(limited.headers["Content-Type"] == "application/json")
        let retryAfter = try #require(Int(limited.headers["Retry-After"] ?? ""))
        #expect((1...60).contains(retryAfter))
        #expect(
            try JSONDecoder().decode(ErrorBody.self, from: Data(limited.body)).error.contains("3 rate changes a minute")
        )
        #expect(try await Self.rate(harness) == #"{"rps":3}"#, "the refused change changed nothing")
        #expect(try await harness.metric(#"frontend_rate_changes_refused_total{reason="per_address_limit"}"#) == 1)
        // Stopping is a change like any other; recovery after the minute is ClientLimitsTests'.
        try await harness.onFrontend { frontend in
            _ = try? frontend.generator.setRate(fromBody: Array(#"{"rps": 0}"#.utf8))
        }
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func resultStreamsPerAddressAreCappedWith429AndRecover() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) { $0.sseMaxClientsPerAddress = 2 }
        let first = try SSETestClient(port: harness.port)
        let second = try SSETestClient(port: harness.port)
        try await waitUntil("two streams open") { try await harness.onFrontend { $0.resultStreamCount } == 2 }
        let refused = try await harness.request("GET", "/api/results")
        #expect(refused.status == 429)
        #expect(refused.headers["Retry-After"] == "\(ResultsHub.resultStreamRetryAfter)")
        #expect(refused.headers["Content-Type"] == "application/json")
        #expect(try await harness.metric("frontend_result_streams_refused_total") == 1)
        first.close()
        try await waitUntil("one stream closed") { try await harness.onFrontend { $0.resultStreamCount } == 1 }
        let third = try SSETestClient(port: harness.port)
        try await waitUntil("a stream again") { third.status != nil }
        #expect(third.status == 200)
        #expect(try await harness.onFrontend { $0.results.clientLimits.streamCount(of: "127.0.0.1") } == 2)
        second.close()
        third.close()
        try await waitUntil("every stream closed") { try await harness.onFrontend { $0.resultStreamCount } == 0 }
        #expect(try await harness.onFrontend { $0.results.clientLimits.streamCount(of: "127.0.0.1") } == 0)
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    static let pageCSP = "default-src 'self'"

    /// Every route, every kind of answer: the page and its files, the API (200, 400, 401, 429, 404,
    /// 405), health, metrics, the results stream and its refusal.
    @Test func securityHeadersAreOnEveryAnswer() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) {
            $0.rateControlToken = RateControlToken(Self.key)
            $0.rateChangesPerMinute = 1
            $0.sseMaxClients = 1
        }
        let json = "application/json"
        let cases: [(method: String, path: String, authorization: String?, status: Int, contentType: String?)] = [
            ("GET", "/", nil, 200, "text/html; charset=utf-8"),
            ("GET", "/index.html", nil, 200, "text/html; charset=utf-8"),
            ("GET", "/app.js", nil, 200, "text/javascript; charset=utf-8"),
            ("GET", "/style.css", nil, 200, "text/css; charset=utf-8"),
            ("HEAD", "/", nil, 200, "text/html; charset=utf-8"),
            ("GET", "/api/rate", nil, 200, json),
            ("GET", "/api/stats", nil, 200, json),
            ("PUT", "/api/rate", nil, 401, json),
            ("PUT", "/api/rate", "Bearer \(Self.key)", 200, json),
            ("PUT", "/api/rate", "Bearer \(Self.key)", 429, json),
            ("POST", "/api/rate", nil, 405, json),
            ("GET", "/nothing-here", nil, 404, json),
            ("GET", "/_healthz", nil, 200, nil),
            ("GET", "/metrics", nil, 200, nil),
        ]
        for (method, path, authorization, status, contentType) in cases {
            var headers = HTTPHeaders()
            if let authorization { headers.add("Authorization", authorization) }
            let response = try await harness.request(
                method, path, body: method == "PUT" ? #"{"rps": 0}"# : "", headers: headers)
            let what = "\(method) \(path) \(status)"
            #expect(response.status == status, "\(what): \(response.status)")
            #expect(response.headers.values("X-Content-Type-Options") == ["nosniff"], "\(what)")
            #expect(response.headers.values("Referrer-Policy") == ["no-referrer"], "\(what)")
            let csp = try #require(response.headers.values("Content-Security-Policy").first, "\(what)")
            #expect(response.headers.values("Content-Security-Policy").count == 1, "\(what)")
            #expect(csp.contains("frame-ancestors 'none'"), "\(what)")
            if response.headers["Content-Type"]?.hasPrefix("text/html") == true {
                #expect(csp.contains(Self.pageCSP), "\(what)")
                #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "\(what)")
            } else {
                #expect(csp.contains("default-src 'none'") || csp.contains(Self.pageCSP), "\(what)")
            }
            if let contentType { #expect(response.headers["Content-Type"] == contentType, "\(what)") }
            if response.headers["Content-Type"]?.hasPrefix("text/") == true {
                #expect(response.headers["Content-Type"]?.hasSuffix("charset=utf-8") == true, "\(what)")
            }
        }
        // The results stream, and the 503 past MAX_SSE_CLIENTS with Retry-After.
        let stream = try SSETestClient(port: harness.port)
        try await waitUntil("the stream's head") { stream.status != nil }
        #expect(stream.status == 200)
        let streamHeaders = stream.headers
        func header(_ name: String) -> String? {
            streamHeaders.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        #expect(header("Content-Type") == "text/event-stream; charset=utf-8")
        #expect(header("X-Content-Type-Options") == "nosniff")
        #expect(header("Referrer-Policy") == "no-referrer")
        #expect(header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        let full = try await harness.request("GET", "/api/results")
        #expect(full.status == 503)
        #expect(full.headers["Retry-After"] == "\(ResultsHub.resultStreamRetryAfter)")
        #expect(full.headers["X-Content-Type-Options"] == "nosniff" && full.headers["Referrer-Policy"] == "no-referrer")
        stream.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }
}

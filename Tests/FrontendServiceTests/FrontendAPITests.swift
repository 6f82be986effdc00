import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import FrontendService

/// The frontend's HTTP API and page over real sockets.
@Suite(.serialized) struct FrontendAPITests {
    static let invalidRates: [(body: String, mentions: String)] = [
        (#"{"rps": -1}"#, "negative"),
        (#"{"rps": 101}"#, "at most 100"),
        (#"{"rps": 1e400}"#, "finite"),
        (#"{"rps": "20"}"#, "string"),
        (#"{"rps": null}"#, "null"),
        (#"{"rps": true}"#, "boolean"),
        (#"{"rate": 20}"#, "missing"),
        ("20", "object"),
        ("not json", "object"),
        ("", "object"),
    ]

    @Test func invalidRatesGet400WithAJSONErrorAndChangeNothing() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) { $0.maxRate = 100 }
        let valid = try await harness.putRate(#"{"rps": 0.5}"#)
        #expect(valid.status == 200 && String(decoding: valid.body, as: UTF8.self) == #"{"rps":0.5}"#)
        for (body, mentions) in Self.invalidRates {
            let response = try await harness.putRate(body)
            #expect(response.status == 400, "\(body)")
            #expect(response.headers["Content-Type"] == "application/json")
            let error = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body)).error
            #expect(error.contains(mentions), "\(body): \(error)")
        }
        let rate = try await harness.request("GET", "/api/rate")
        #expect(rate.status == 200 && rate.headers["Content-Type"] == "application/json")
        #expect(String(decoding: rate.body, as: UTF8.self) == #"{"rps":0.5}"#)
        #expect(try await harness.putRate(#"{"rps": 0}"#).status == 200)
        #expect(String(decoding: try await harness.request("GET", "/api/rate").body, as: UTF8.self) == #"{"rps":0}"#)
        #expect(try await harness.request("POST", "/api/rate", body: #"{"rps": 1}"#).status == 405)
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func statsHaveEveryFieldThePagePromises() async throws {
        let harness = try await FrontendHarness(processor: .nowhere)
        try await harness.putRate(#"{"rps": 7}"#)
        let response = try await harness.request("GET", "/api/stats")
        #expect(response.status == 200 && response.headers["Content-Type"] == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        for key in [
            "targetRate", "achievedRate", "sent", "succeeded", "failed", "failedByReason", "dropped", "droppedByReason",
            "inFlight", "latency", "latencySinceStart", "resultsReceived", "burstResultsReceived", "primaryShare",
            "burstShare", "history",
        ] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["targetRate"] as? Double == 7)
        // The harness's frontend is subscribed to a real Redis.
        #expect(json["redisConnected"] as? Bool == true)
        let latency = try #require(json["latency"] as? [String: Any])
        for key in ["p50", "p90", "p99", "p999", "max", "count"] { #expect(latency[key] != nil, "latency.\(key)") }
        let failed = try #require(json["failedByReason"] as? [String: Int])
        #expect(Set(failed.keys) == Set(FailureReason.allCases.map(\.rawValue)))
        let dropped = try #require(json["droppedByReason"] as? [String: Int])
        #expect(Set(dropped.keys) == ["late", "in_flight_cap"])
        try await harness.putRate(#"{"rps": 0}"#)
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func metricsExposeTheGeneratorAndTheHTTPServer() async throws {
        let harness = try await FrontendHarness(processor: .nowhere)
        try await harness.putRate(#"{"rps": 3}"#)
        let response = try await harness.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(decoding: response.body, as: UTF8.self)
        for name in [
            "frontend_requests_sent_total", "frontend_requests_succeeded_total",
            "frontend_requests_failed_total{reason=\"connect\"}",
            "frontend_requests_failed_total{reason=\"status_5xx\"}", "frontend_requests_dropped_total{reason=\"late\"}",
            "frontend_requests_dropped_total{reason=\"in_flight_cap\"}", "frontend_requests_in_flight",
            "frontend_results_received_total", "frontend_target_rate", "frontend_request_latency_seconds_bucket",
            "frontend_result_streams", "frontend_redis_connected", "http_requests_total",
        ] {
            #expect(text.contains("\n" + name) || text.hasPrefix(name), "missing \(name)")
        }
        #expect(try await harness.metric("frontend_target_rate") == 3)
        try await harness.putRate(#"{"rps": 0}"#)
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test(arguments: [
        ("/", "text/html; charset=utf-8", "<title>String Hashr</title>"),
        ("/index.html", "text/html; charset=utf-8", "What's the frequency?"),
        ("/app.js", "text/javascript; charset=utf-8", "EventSource"),
        ("/style.css", "text/css; charset=utf-8", "{"),
    ])
    func thePageIsServedWithItsContentTypeAndAValidator(path: String, contentType: String, contains: String)
        async throws
    {
        let harness = try await FrontendHarness(processor: .nowhere)
        let response = try await harness.request("GET", path)
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == contentType)
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
        #expect(response.headers["Content-Security-Policy"]?.contains("default-src 'self'") == true)
        #expect(String(decoding: response.body, as: UTF8.self).contains(contains))
        let etag = try #require(response.headers["ETag"])
        let cached = try await harness.request("GET", path, headers: HTTPHeaders([("If-None-Match", etag)]))
        #expect(cached.status == 304 && cached.body.isEmpty && cached.headers["ETag"] == etag)
        let stale = try await harness.request("GET", path, headers: HTTPHeaders([("If-None-Match", "\"other\"")]))
        #expect(stale.status == 200 && stale.body == response.body)
        let head = try await harness.request("HEAD", path)
        #expect(head.status == 200 && head.body.isEmpty)
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func readinessFollowsTheResultsSubscription() async throws {
        let harness = try await FrontendHarness(processor: .nowhere)
        #expect(try await harness.request("GET", "/_healthz").status == 200)
        #expect(try await harness.request("GET", "/nothing-here").status == 404)
        try await OffThePool.run { [redis = harness.redis] in redis.kill() }
        try await waitUntil("not ready without Redis") { try await harness.request("GET", "/_healthz").status == 503 }
        #expect(try await harness.metric("frontend_redis_connected") == 0)
        // The page and the API still answer: only the results are missing.
        #expect(try await harness.request("GET", "/").status == 200)
        try await harness.redis.restart()
        try await waitUntil("ready again after Redis is back") {
            try await harness.request("GET", "/_healthz").status == 200
        }
        // Subscribed again: results flow.
        let stream = try SSETestClient(port: harness.port)
        try await waitUntil("stream open") { try await harness.onFrontend { $0.resultStreamCount } == 1 }
        try await waitUntil("the tools' publisher reconnected") {
            try await harness.tools.submit { [publisher = harness.publisher] in publisher.value.isConnected }
        }
        try await harness.publish("back")
        try await waitUntil("a result after the restart") { stream.events.last?.data == "back" }
        stream.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }
}

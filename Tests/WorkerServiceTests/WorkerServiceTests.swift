import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import WorkerService

/// The worker against a real redis-server, as the worker contract in docs/ARCHITECTURE.md says.
@Suite(.serialized) struct WorkerServiceTests {
    @Test func everyAcceptedPostPublishesExactlyOnce() async throws {
        let harness = try await WorkerHarness(prefix: "bursty-")
        var answered: [String] = []
        for index in 0..<50 {
            let response = try await harness.post("{\"str\": \"input \(index)\"}").get()
            #expect(response.status == 200)
            let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            answered.append(body?["hash"] ?? "")
        }
        try await waitUntil("50 messages") { harness.received.count >= 50 }
        try await Task.sleep(for: .milliseconds(100))
        let messages = harness.received.all
        #expect(messages.count == 50)
        #expect(messages == answered)
        for message in messages {
            #expect(message.hasPrefix("bursty-"))
            let hash = message.dropFirst("bursty-".count)
            #expect(hash.count == 44)
            #expect(Data(base64Encoded: String(hash))?.count == 32)
        }
        #expect(await harness.stop() == 0)
    }

    /// The answer is laid out before the publish, the hash written into it in place: for a prefix
    /// that JSON must quote, and for inputs hashed from the request's bytes (plain ASCII) or from
    /// the decoded string (anything else), the answer's hash is the message published.
    @Test func theAnswerQuotesThePrefixAndCarriesThePublishedMessage() async throws {
        let prefix = "q\"\\ \u{1}é-"
        let harness = try await WorkerHarness(prefix: prefix)
        let bodies = [#"{"str":"plain"}"#, #"{"str": "h\u00e9 😀"}"#, #"{"str":"a\"b"}"#, #"{"str":"hé"}"#]
        var answered: [String] = []
        for body in bodies {
            let response = try await harness.post(body).get()
            #expect(response.status == 200, "\(body)")
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            answered.append(object?["hash"] ?? "")
        }
        try await waitUntil("every message") { harness.received.count >= bodies.count }
        #expect(harness.received.all == answered)
        for hash in answered {
            #expect(hash.hasPrefix(prefix) && hash.utf8.count == prefix.utf8.count + 44)
        }
        #expect(await harness.stop() == 0)
    }

    @Test func withoutPrefixThePlainHashIsPublished() async throws {
        let harness = try await WorkerHarness()
        #expect(try await harness.post("{\"str\": \"\"}").get().status == 200)
        try await waitUntil("one message") { harness.received.count == 1 }
        #expect(harness.received.all[0].count == 44)
        #expect(await harness.stop() == 0)
    }

    @Test func badInputGets400AndPublishesNothing() async throws {
        let harness = try await WorkerHarness()
        let bodies = ["", "not json", "[1]", "\"s\"", "{}", "{\"str\": null}", "{\"str\": 3}", "{\"str\": [\"a\"]}", "{\"str\": true}"]
        for body in bodies {
            let response = try await harness.post(body).get()
            #expect(response.status == 400, "\(body)")
            let error = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            #expect(error?["error"]?.isEmpty == false, "\(body)")
        }
        // The worker keeps serving: one valid request afterwards is the only message.
        #expect(try await harness.post("{\"str\": \"ok\"}").get().status == 200)
        try await waitUntil("the one message") { harness.received.count == 1 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(harness.received.count == 1)
        #expect(await harness.stop() == 0)
    }

    @Test func bodyOverTheLimitGets413() async throws {
        let harness = try await WorkerHarness(maxBodyBytes: 1024)
        let big = "{\"str\": \"" + String(repeating: "a", count: 2000) + "\"}"
        let response = try await harness.post(big).get()
        #expect(response.status == 413)
        #expect(String(decoding: response.body, as: UTF8.self).contains("error"))
        #expect(harness.received.count == 0)
        #expect(await harness.stop() == 0)
    }

    @Test func livenessReadinessPreflightAndMetrics() async throws {
        let harness = try await WorkerHarness()
        #expect(try await harness.request("GET", "/").get().body == Array("ok\n".utf8))
        #expect(try await harness.request("GET", "/_healthz").get().status == 200)
        var headers = HTTPHeaders()
        headers.add("Origin", "http://example.test")
        headers.add("Access-Control-Request-Method", "POST")
        let preflight = try await harness.request("OPTIONS", "/any/path", headers: headers).get()
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "*")
        _ = try await harness.post("{\"str\": \"x\"}").get()
        _ = try await harness.post("nope").get()
        let metrics = String(decoding: try await harness.request("GET", "/metrics").get().body, as: UTF8.self)
        #expect(metrics.contains("worker_publishes_total 1"))
        #expect(metrics.contains("worker_redis_connected 1"))
        #expect(metrics.contains("http_requests_total{route=\"/\",method=\"POST\",status=\"400\"} 1"))
        #expect(await harness.stop() == 0)
    }

    @Test func redisOutageGives503AtOnceAndRecoversByItself() async throws {
        let harness = try await WorkerHarness()
        harness.redis.kill()
        try await waitUntil("readiness to fail", timeout: .seconds(3)) {
            (try? await harness.request("GET", "/_healthz").get().status) == 503
        }
        // At once: refused because Redis is not connected, not a publish that timed out (5 s).
        let during = try await harness.post("{\"str\": \"during\"}").get()
        #expect(during.status == 503)
        #expect(String(decoding: during.body, as: UTF8.self).contains("redis is not connected"))
        try harness.redis.start()
        try await waitUntil("publishing again", timeout: .seconds(5)) {
            (try? await harness.post("{\"str\": \"after\"}").get().status) == 200
        }
        #expect(try await harness.request("GET", "/_healthz").get().status == 200)
        #expect(await harness.stop() == 0)
    }

    @Test func gracefulShutdownAnswersEveryAcceptedRequest() async throws {
        let harness = try await WorkerHarness()
        // A paused Redis holds the publishes, so requests are in flight when shutdown begins.
        harness.redis.pause()
        let results = LockedList<Int>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let status = (try? await harness.post("{\"str\": \"\(index)\"}").get().status) ?? -1
                    results.append(status)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let worker = harness.worker
            harness.thread.loop.execute { worker.value.shutdown {} }
            try await Task.sleep(for: .milliseconds(200))
            harness.redis.resume()
            try await group.waitForAll()
        }
        #expect(results.all == Array(repeating: 200, count: 20))
        try await waitUntil("20 messages") { harness.received.count == 20 }
        #expect(await harness.stop() == 0)
    }
}

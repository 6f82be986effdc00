import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import FrontendService

/// The frontend against the real worker and a real redis-server: the rate it promises is the rate
/// the worker publishes at, and every result reaches the page's stream.
@Suite(.serialized) struct FrontendWorkerTests {
    @Test func twoHundredPerSecondForFiveSecondsPublishesAThousandAndStreamsEveryOne() async throws {
        let harness = try await FrontendHarness()
        let stream = try SSETestClient(port: harness.port)
        try await waitUntil("the results stream is open") { try await harness.onFrontend { $0.resultStreamCount } == 1 }

        let start = ContinuousClock.now
        let set = try await harness.putRate(#"{"rps": 200}"#)
        #expect(set.status == 200)
        #expect(String(decoding: set.body, as: UTF8.self) == #"{"rps":200}"#)
        try await Task.sleep(until: start + .seconds(4), clock: .continuous)
        let running = try await harness.stats()
        try await Task.sleep(until: start + .seconds(5), clock: .continuous)
        #expect(try await harness.putRate(#"{"rps": 0}"#).status == 200)
        let elapsed = ContinuousClock.now - start

        // Open loop: the achieved rate is the target, whatever the worker's latency.
        #expect(running.targetRate == 200)
        #expect(abs(running.achievedRate - 200) <= 4, "achieved \(running.achievedRate)/s")

        try await waitUntil("every request answered") { try await harness.stats().inFlight == 0 }
        let stats = try await harness.stats()
        try await waitUntil("the worker's messages counted") { harness.published.count >= stats.succeeded }
        let published = harness.published.count
        let expected = 200 * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        #expect(abs(published - 1_000) <= 20, "published \(published)")
        #expect(abs(Double(stats.sent) - expected) <= 3, "sent \(stats.sent) in \(elapsed), expected \(expected)")
        #expect(stats.succeeded == stats.sent && stats.failed == 0 && stats.dropped == 0)
        #expect(published == stats.succeeded)
        #expect(stats.latencySinceStart.count == stats.succeeded && stats.latencySinceStart.p99 > 0)

        // Every result, in order, as `event: calculation` / `data: <hash>` frames.
        try await waitUntil("the stream delivered every result") {
            try await harness.stats().resultsReceived == published && stream.eventCount >= published
        }
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"] == "text/event-stream; charset=utf-8")
        #expect(stream.headers["cache-control"] == "no-cache")
        #expect(stream.retry == 2_000)
        #expect(stream.framingError == nil)
        let events = stream.events
        #expect(events.allSatisfy { $0.name == "calculation" })
        #expect(events.map(\.data) == harness.published.all)
        #expect(events.allSatisfy { $0.data.utf8.count == 44 && $0.data.hasSuffix("=") })

        // Rate 0 stops: nothing more is sent or published.
        try await Task.sleep(for: .milliseconds(500))
        let after = try await harness.stats()
        #expect(after.sent == stats.sent && after.targetRate == 0)
        #expect(harness.published.count == published)

        // /metrics mirrors the statistics.
        #expect(try await harness.metric("frontend_requests_sent_total") == Double(stats.sent))
        #expect(try await harness.metric("frontend_requests_succeeded_total") == Double(stats.succeeded))
        #expect(try await harness.metric("frontend_results_received_total") == Double(published))
        #expect(try await harness.metric("frontend_requests_in_flight") == 0)
        #expect(try await harness.metric("frontend_target_rate") == 0)
        #expect(try await harness.metric("frontend_request_latency_seconds_count") == Double(stats.succeeded))
        #expect(try await harness.metric(#"frontend_requests_failed_total{reason="timeout"}"#) == 0)
        #expect(try await harness.metric(#"frontend_requests_dropped_total{reason="late"}"#) == 0)
        #expect(try await harness.metric("frontend_result_streams") == 1)
        #expect(try await harness.metric("frontend_redis_connected") == 1)

        stream.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func aWorkerThatIsGoneCountsFailuresByReasonAndTheRateStillHolds() async throws {
        let harness = try await FrontendHarness(processor: .nowhere)
        #expect(try await harness.putRate(#"{"rps": 100}"#).status == 200)
        try await Task.sleep(for: .milliseconds(1_000))
        #expect(try await harness.putRate(#"{"rps": 0}"#).status == 200)
        try await waitUntil("every request answered") { try await harness.stats().inFlight == 0 }
        let stats = try await harness.stats()
        #expect(stats.sent >= 95 && stats.sent <= 105, "sent \(stats.sent)")
        #expect(stats.succeeded == 0 && stats.failed == stats.sent)
        #expect(stats.failedByReason["connect"] == stats.sent)
        #expect(try await harness.metric(#"frontend_requests_failed_total{reason="connect"}"#) == Double(stats.sent))
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }
}

import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import FrontendService

/// `GET /api/results` with real sockets and results published on a real Redis.
@Suite(.serialized) struct FrontendResultStreamTests {
    @Test func aStalledClientIsCutOffAloneAndNeverDelaysAHealthyOne() async throws {
        let budget = 256 * 1024
        let harness = try await FrontendHarness(processor: .nowhere) { $0.sseClientBuffer = budget }
        // Never reads, with a tiny receive window: everything sent to it piles up at the frontend.
        let stalled = try SSETestClient(port: harness.port, receiveBuffer: 4096, reading: false)
        let healthy = try SSETestClient(port: harness.port)
        try await waitUntil("both streams open") { try await harness.onFrontend { $0.resultStreamCount } == 2 }

        // 1,250 results of about 4 KiB at about 2 MB/s: 5 MB, past the stalled client's budget plus
        // what the kernel buffers for it (a loopback send buffer grows to 4 MB), while one 10 ms flush
        // stays well inside the budget of a client that reads. Paced, so the test leaves CPU to others.
        let count = 1_250
        let padding = String(repeating: "x", count: 4_000)
        var publishedAt: [ContinuousClock.Instant] = []
        for index in 0..<count {
            try await harness.publish("result-\(index)-\(padding)")
            publishedAt.append(.now)
            if index % 5 == 4 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await waitUntil("the healthy client has every result") { healthy.eventCount == count }

        // The healthy client saw each result promptly: no waiting behind the stalled one. A margin, not
        // a measurement (a result takes about a millisecond on a quiet machine): a full parallel run
        // with a CPU hog delayed one by 1.4 s, while waiting for the stalled client's cut-off would
        // hold results for the whole 2.5 s of publishing it takes to fill its buffers.
        let lags = zip(healthy.arrivals, publishedAt).map { arrival, published in arrival - published }
        let worst = lags.max() ?? .zero
        #expect(worst < .seconds(2), "worst delay \(worst)")
        #expect(healthy.events.map(\.data) == (0..<count).map { "result-\($0)-\(padding)" })

        // The stalled client alone was cut off, by its budget, and the healthy one is still open.
        try await waitUntil("the stalled client was cut off") {
            try await harness.metric("frontend_result_streams_cut_off_total") == 1
        }
        #expect(try await harness.onFrontend { $0.resultStreamCount } == 1)
        #expect(!healthy.isClosed)
        stalled.startReading()
        try await waitUntil("the stalled client sees its connection closed") { stalled.isClosed }
        #expect(!stalled.ended, "cut off, not ended cleanly")
        // What the kernel had already taken still arrives after the close; nothing after the cut does.
        #expect(stalled.eventCount < count - 100, "the stalled client got \(stalled.eventCount) results")
        #expect(stalled.events.map(\.data) == (0..<stalled.eventCount).map { "result-\($0)-\(padding)" })

        // And the healthy one keeps receiving.
        try await harness.publish("after")
        try await waitUntil("the healthy client still receives") { healthy.events.last?.data == "after" }

        healthy.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func messagesAreFramedAsTextAndIdleStreamsGetKeepAliveComments() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) { $0.sseKeepAlive = .milliseconds(200) }
        let client = try SSETestClient(port: harness.port)
        try await waitUntil("stream open") { try await harness.onFrontend { $0.resultStreamCount } == 1 }
        try await harness.publish("line one\nline two")
        try await harness.publish("<b>not html</b>")
        try await harness.publish("bursty-abc=")
        try await waitUntil("three events") { client.eventCount == 3 }
        #expect(client.events.map(\.data) == ["line one\nline two", "<b>not html</b>", "bursty-abc="])
        try await waitUntil("a keep-alive comment") { client.comments.contains("keep-alive") }
        #expect(client.comments.first == "connected")
        let stats = try await harness.stats()
        #expect(stats.resultsReceived == 3 && stats.burstResultsReceived == 1)
        client.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func streamsBeyondTheLimitAreRefusedWith503() async throws {
        let harness = try await FrontendHarness(processor: .nowhere) { $0.sseMaxClients = 1 }
        let first = try SSETestClient(port: harness.port)
        try await waitUntil("stream open") { try await harness.onFrontend { $0.resultStreamCount } == 1 }
        let second = try await harness.request("GET", "/api/results")
        #expect(second.status == 503)
        #expect(second.headers["Content-Type"] == "application/json")
        #expect(try await harness.metric("frontend_result_streams_refused_total") == 1)
        // Once the first leaves, there is room again.
        first.close()
        try await waitUntil("stream closed") { try await harness.onFrontend { $0.resultStreamCount } == 0 }
        let third = try SSETestClient(port: harness.port)
        try await waitUntil("stream open again") { third.status != nil }
        #expect(third.status == 200)
        third.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
    }

    @Test func shutdownEndsStreamsAndWaitsForRequestsInFlight() async throws {
        let processor = try await ParkingProcessor()
        let harness = try await FrontendHarness(processor: .endpoint(processor.endpoint))
        let client = try SSETestClient(port: harness.port)
        try await waitUntil("stream open") { try await harness.onFrontend { $0.resultStreamCount } == 1 }
        #expect(try await harness.putRate(#"{"rps": 100}"#).status == 200)
        try await waitUntil("requests parked at the processor") { await processor.parkedCount >= 5 }

        // Two callers while it runs (a signal and an owner, say) each hear back once; one after it
        // finished hears back at once.
        let finished = LockedList<Bool>()
        let frontend = harness.frontend
        try await harness.frontendThread.submit {
            frontend.value.shutdown { finished.append(true) }
            frontend.value.shutdown { finished.append(true) }
        }
        try await waitUntil("the stream ended cleanly") { client.ended }
        try await Task.sleep(for: .milliseconds(300))
        #expect(finished.count == 0, "shutdown must wait for the requests in flight")
        let parked = await processor.releaseAll()
        try await waitUntil("shutdown finished") { finished.count == 2 }
        try await harness.frontendThread.submit { frontend.value.shutdown { finished.append(true) } }
        #expect(finished.count == 3)

        let stats = try await harness.onFrontend { $0.snapshot }
        #expect(stats.sent >= parked && stats.sent == stats.succeeded && stats.inFlight == 0)
        client.close()
        let closed = await harness.stop()
        #expect(closed.frontend == 0 && closed.tools == 0)
        #expect(await processor.stop() == 0)
    }
}

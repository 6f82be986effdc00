import Foundation
import HashrCore
import Testing

@testable import FrontendService

@Suite struct GeneratorStatisticsTests {
    static let second: Int64 = 1_000_000_000
    static let millisecond: Int64 = 1_000_000
    /// Start in the middle of a second, as a real process does.
    static let start: Int64 = 1_000 * second + 400 * millisecond

    @Test func countersAddUpAndInFlightFollowsFromThem() {
        var stats = GeneratorStatistics(now: Self.start)
        stats.recordSent(10, now: Self.start)
        stats.recordSent(now: Self.start)
        for _ in 0..<6 { stats.recordSuccess(intendedSendTime: Self.start, now: Self.start + Self.millisecond) }
        stats.recordFailure(.timeout, now: Self.start)
        stats.recordFailure(.status5xx, now: Self.start)
        stats.recordFailure(.status5xx, now: Self.start)
        stats.recordDropped(4, reason: .late, now: Self.start)
        stats.recordDropped(0, reason: .late, now: Self.start)
        stats.recordDrops(
            of: .init(sendTimes: [], droppedLate: 1, droppedOverCapacity: 2, nextDue: nil), now: Self.start)

        let snapshot = stats.snapshot(now: Self.start + Self.second, targetRate: 11)
        #expect(snapshot.targetRate == 11)
        #expect(snapshot.sent == 11 && snapshot.succeeded == 6 && snapshot.failed == 3)
        #expect(snapshot.inFlight == 2)
        #expect(
            snapshot.failedByReason == [
                "connect": 0, "timeout": 1, "reset": 0, "bad_response": 0, "status_5xx": 2, "status_other": 0,
                "client": 0,
            ])
        #expect(snapshot.dropped == 7)
        #expect(snapshot.droppedByReason == ["late": 5, "in_flight_cap": 2])
    }

    @Test func achievedRateIsExactForASteadyOpenLoop() {
        var stats = GeneratorStatistics(now: Self.start)
        var scheduler = RateScheduler()
        scheduler.setRate(250, now: Self.start)
        var now = Self.start
        while now < Self.start + 10 * Self.second {
            let decision = scheduler.tick(now: now, inFlight: stats.inFlight, maxInFlight: 1_000)
            stats.recordSent(decision.sendTimes.count, now: now)
            for intended in decision.sendTimes { stats.recordSuccess(intendedSendTime: intended, now: now) }
            now += Self.millisecond
        }
        let snapshot = stats.snapshot(now: now, targetRate: scheduler.rate)
        #expect(snapshot.achievedRate == 250)
        #expect(snapshot.rateWindowSeconds == 3)
        #expect(snapshot.inFlight == 0)
        #expect(snapshot.history.count == 10)
        #expect(snapshot.history.dropFirst().allSatisfy { $0.sent == 250 })
        #expect(snapshot.history.first?.sent == 150, "the first, partial second began at .4 s")
    }

    @Test func rateWindowIsShorterJustAfterStart() {
        var stats = GeneratorStatistics(now: Self.start)
        stats.recordSent(30, now: Self.start + 100 * Self.millisecond)  // the partial first second
        stats.recordSent(20, now: Self.start + 700 * Self.millisecond)  // second 1001, the first whole one
        let early = stats.snapshot(now: Self.start + 500 * Self.millisecond, targetRate: 20)
        #expect(early.achievedRate == 0 && early.rateWindowSeconds == 0)
        let afterOne = stats.snapshot(now: Self.start + 1_700 * Self.millisecond, targetRate: 20)
        #expect(afterOne.rateWindowSeconds == 1)
        #expect(afterOne.achievedRate == 20)
    }

    @Test func rateFollowsAChangeWithinTheWindowAndFallsToZeroAfterStop() {
        var stats = GeneratorStatistics(now: Self.start)
        for second in 1_001..<1_011 {
            stats.recordSent(second < 1_006 ? 100 : 400, now: Int64(second) * Self.second + 10)
        }
        // Window [1005, 1008): 100 + 400 + 400.
        #expect(stats.snapshot(now: 1_008 * Self.second + 1, targetRate: 400).achievedRate == 300)
        #expect(stats.snapshot(now: 1_009 * Self.second + 1, targetRate: 400).achievedRate == 400)
        // Nothing sent since 1011: the window empties even though nothing was written.
        #expect(stats.snapshot(now: 1_014 * Self.second, targetRate: 0).achievedRate == 0)
        #expect(stats.snapshot(now: 1_012 * Self.second, targetRate: 0).achievedRate == 800.0 / 3)
    }

    @Test func resultsAreSplitByTheBurstPrefix() {
        var stats = GeneratorStatistics(now: Self.start)
        // Ten seconds of primary results, then burst workers take over.
        for second in 1_001...1_020 {
            for index in 0..<10 {
                let time = Int64(second) * Self.second + Int64(index) * 50 * Self.millisecond
                if second <= 1_010 {
                    stats.recordResult("XyZ0123+/abc=", now: time)
                } else {
                    stats.recordResult(Array("bursty-XyZ0123+/abc=".utf8), now: time)
                }
            }
        }
        let during = stats.snapshot(now: 1_012 * Self.second + 600 * Self.millisecond, targetRate: 10)
        // Share window: seconds 1008...1012 = 30 primary, 20 burst.
        #expect(during.primaryShare == 0.6 && during.burstShare == 0.4)
        let after = stats.snapshot(now: 1_020 * Self.second + 600 * Self.millisecond, targetRate: 10)
        #expect(after.primaryShare == 0 && after.burstShare == 1)
        #expect(after.resultsReceived == 200 && after.burstResultsReceived == 100)
        #expect(after.resultRate == 10)
        #expect(
            after.history.map(\.primary) == Array(repeating: 0, count: 1) + Array(repeating: 10, count: 10)
                + Array(repeating: 0, count: 9))
        #expect(after.history.map(\.burst) == Array(repeating: 0, count: 11) + Array(repeating: 10, count: 9))
        // Long after, nothing in the window: no share at all rather than a made-up one.
        let idle = stats.snapshot(now: 1_100 * Self.second, targetRate: 0)
        #expect(idle.primaryShare == 0 && idle.burstShare == 0)
        #expect(idle.history.count == 60)
        #expect(idle.history.allSatisfy { $0 == SecondSample(sent: 0, dropped: 0, primary: 0, burst: 0) })
    }

    @Test func prefixMustBeAtTheStart() {
        var stats = GeneratorStatistics(now: Self.start)
        stats.recordResult("xbursty-abc", now: Self.start)
        stats.recordResult("bursty", now: Self.start)
        stats.recordResult("BURSTY-abc", now: Self.start)
        stats.recordResult("bursty-", now: Self.start)
        #expect(stats.burstResultsReceived == 1 && stats.resultsReceived == 4)
    }

    @Test func latencyIsMeasuredFromTheIntendedSendTime() {
        var stats = GeneratorStatistics(now: Self.start)
        // 1,000 answers with latencies 1, 2, ... 1,000 ms.
        for index in 1...1_000 {
            let intended = Self.start + Int64(index) * Self.millisecond
            stats.recordSent(now: intended)
            stats.recordSuccess(intendedSendTime: intended, now: intended + Int64(index) * Self.millisecond)
        }
        let latency = stats.snapshot(now: Self.start + 2 * Self.second, targetRate: 0).latency
        #expect(latency.count == 1_000)
        // HDR keeps three significant digits: each figure within 0.1 %.
        #expect(abs(latency.p50 - 500) <= 0.5)
        #expect(abs(latency.p90 - 900) <= 0.9)
        #expect(abs(latency.p99 - 990) <= 1)
        #expect(abs(latency.max - 1_000) <= 1)
        #expect(abs(latency.mean - 500.5) <= 0.6)
        #expect(stats.latencySinceStart == latency)
    }

    @Test func recentLatencyForgetsOldAnswersButSinceStartKeepsThem() {
        var stats = GeneratorStatistics(now: Self.start)  // 5 s intervals: recent covers 5 to 10 s
        stats.recordSuccess(intendedSendTime: Self.start, now: Self.start + 800 * Self.millisecond)
        for index in 0..<99 {
            let now = Self.start + 7 * Self.second + Int64(index) * Self.millisecond
            stats.recordSuccess(intendedSendTime: now - 2 * Self.millisecond, now: now)
        }
        let soon = stats.snapshot(now: Self.start + 8 * Self.second, targetRate: 0)
        #expect(soon.latency.count == 100)
        #expect(abs(soon.latency.max - 800) < 1)
        // 1,010 s starts a new interval; the one holding the 800 ms answer (1,000-1,004 s) is gone.
        let later = stats.snapshot(now: 1_010 * Self.second + 1, targetRate: 0)
        #expect(later.latency.count == 99)
        #expect(abs(later.latency.max - 2) < 0.01)
        let muchLater = stats.snapshot(now: 1_020 * Self.second, targetRate: 0)
        #expect(muchLater.latency == .empty)
        #expect(muchLater.latencySinceStart.count == 100)
        #expect(abs(muchLater.latencySinceStart.max - 800) < 1)
    }

    @Test func outOfRangeLatenciesAreClampedNotLost() {
        var stats = GeneratorStatistics(now: Self.start)
        stats.recordSuccess(intendedSendTime: Self.start + Self.second, now: Self.start)  // clock oddity
        stats.recordSuccess(intendedSendTime: Self.start - 3_600 * Self.second, now: Self.start)
        let latency = stats.latencySinceStart
        #expect(latency.count == 2)
        #expect(latency.max >= 599_000 && latency.max <= 601_000)
    }

    @Test func failureReasonsFromStatusAndClientErrors() {
        #expect(FailureReason(status: 200) == nil && FailureReason(status: 204) == nil)
        #expect(FailureReason(status: 503) == .status5xx && FailureReason(status: 500) == .status5xx)
        #expect(FailureReason(status: 404) == .statusOther && FailureReason(status: 301) == .statusOther)
        #expect(FailureReason(status: 600) == .statusOther && FailureReason(status: 100) == .statusOther)
        let errors: [(HTTPClientError, FailureReason)] = [
            (.connectionRefused(address: "127.0.0.1:1"), .connect),
            (.resolveFailed(host: "nowhere", reason: "unknown node or service"), .connect),
            (.connectFailed(address: "127.0.0.1:1", reason: "network unreachable"), .connect),
            (.timeout(after: .seconds(2)), .timeout),
            (.connectionReset(reason: "closed"), .reset),
            (.badResponse("not HTTP"), .badResponse),
            (.responseTooLarge(limit: 10), .badResponse),
            (.certificateUntrusted(reason: "unknown CA"), .connect),
            (.hostNameMismatch(host: "worker"), .connect),
            (.tlsFailed(reason: "wrong version number"), .connect),
            (.queueFull(limit: 10), .client),
            (.closed, .client),
        ]
        for (error, reason) in errors { #expect(FailureReason(error.kind) == reason, "\(error)") }
        // The kinds keep their metrics words.
        let words = [
            "resolve", "refused", "connect", "timeout", "reset", "bad_response",
            "tls_untrusted", "tls_host_mismatch", "tls_handshake", "queue_full", "closed",
        ]
        #expect(HTTPClientError.Kind.allCases.map(\.rawValue) == words)
    }

    @Test func snapshotJSONHasTheContractsFields() throws {
        var stats = GeneratorStatistics(now: Self.start)
        stats.recordSent(3, now: Self.start + 700 * Self.millisecond)
        stats.recordSuccess(intendedSendTime: Self.start, now: Self.start + 3 * Self.millisecond)
        stats.recordResult("bursty-abc", now: Self.start + 800 * Self.millisecond)
        let snapshot = stats.snapshot(now: Self.start + 2 * Self.second, targetRate: 3.3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(snapshot.json)) as? [String: Any])
        for key in [
            "targetRate", "achievedRate", "sent", "succeeded", "failed", "failedByReason", "dropped",
            "droppedByReason", "inFlight", "latency", "latencySinceStart", "resultsReceived", "primaryShare",
            "burstShare", "history", "uptimeSeconds",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["targetRate"] as? Double == 3.3)
        #expect(object["inFlight"] as? Int == 2)
        let latency = try #require(object["latency"] as? [String: Any])
        #expect(Set(latency.keys) == ["count", "p50", "p90", "p99", "p999", "max", "mean"])
        #expect(try JSONDecoder().decode(StatsSnapshot.self, from: Data(snapshot.json)) == snapshot)
        // Stable key order, so two equal snapshots are equal bytes.
        #expect(snapshot.json == stats.snapshot(now: Self.start + 2 * Self.second, targetRate: 3.3).json)
    }

    @Test func tenThousandPerSecondForAMinuteThroughSchedulerAndStatistics() {
        var stats = GeneratorStatistics(now: Self.start)
        var scheduler = RateScheduler()
        scheduler.setRate(10_000, now: Self.start)
        var pending: [Int64] = []
        let end = Self.start + 60 * Self.second
        // A tick every millisecond, and a last one just before the end: requests 0 ..< 600,000 are due.
        for now in Array(stride(from: Self.start, to: end, by: Int(Self.millisecond))) + [end - 1] {
            // Answers arrive 2 ms after the intended time.
            while let first = pending.first, first + 2 * Self.millisecond <= now {
                stats.recordSuccess(intendedSendTime: first, now: now)
                pending.removeFirst()
            }
            let decision = scheduler.tick(now: now, inFlight: stats.inFlight, maxInFlight: 1_000)
            stats.recordSent(decision.sendTimes.count, now: now)
            stats.recordDrops(of: decision, now: now)
            pending += decision.sendTimes
        }
        let snapshot = stats.snapshot(now: end, targetRate: 10_000)
        #expect(snapshot.sent == 600_000)
        #expect(snapshot.dropped == 0)
        #expect(snapshot.achievedRate == 10_000)
        #expect(snapshot.inFlight == pending.count && snapshot.inFlight <= 30)
        #expect(snapshot.latency.p50 >= 2 && snapshot.latency.p99 <= 3.01)
    }
}

import Foundation
import HashrCore
import Testing

@testable import FrontendService

@Suite struct LoadGeneratorTests {
    static let second: Int64 = 1_000_000_000
    static let millisecond: Int64 = 1_000_000
    static let start: Int64 = 50 * second

    static func generator(_ environment: [String: String] = [:]) throws -> LoadGenerator {
        let configuration = try FrontendConfiguration(environment: EnvironmentReader(environment))
        return LoadGenerator(configuration: configuration, now: start, seed: 11)
    }

    @Test func startsStoppedAndSendsNothing() throws {
        var generator = try Self.generator()
        #expect(generator.rate == 0 && generator.nextDue == nil)
        #expect(generator.tick(now: Self.start + Self.second).isEmpty)
    }

    @Test func initialRateStartsAtOnce() throws {
        var generator = try Self.generator(["INITIAL_RATE": "10"])
        #expect(generator.rate == 10)
        #expect(generator.tick(now: Self.start).map(\.intendedSendTime) == [Self.start])
        #expect(generator.nextDue == Self.start + 100 * Self.millisecond)
    }

    @Test func putBodySetsTheRateAndBadBodiesChangeNothing() throws {
        var generator = try Self.generator(["MAX_RATE": "100"])
        #expect(try generator.setRate(fromBody: Array(#"{"rps": 20}"#.utf8), now: Self.start) == 20)
        #expect(throws: RateBodyError("rps must be at most 100 requests per second")) {
            try generator.setRate(fromBody: Array(#"{"rps": 101}"#.utf8), now: Self.start + 1)
        }
        #expect(throws: RateBodyError.self) {
            try generator.setRate(fromBody: Array(#"{"rps": "fast"}"#.utf8), now: Self.start + 1)
        }
        #expect(generator.rate == 20)
        #expect(generator.scheduler.origin == Self.start)
        #expect(try generator.setRate(fromBody: Array(#"{"rps": 0}"#.utf8), now: Self.start + 2) == 0)
        #expect(generator.nextDue == nil)
    }

    @Test func ticksProduceRandomBodiesAtTheirDueTimes() throws {
        var generator = try Self.generator()
        generator.setRate(1_000, now: Self.start)
        let planned = generator.tick(now: Self.start + 4 * Self.millisecond)
        #expect(planned.map(\.intendedSendTime) == (0...4).map { Self.start + Int64($0) * Self.millisecond })
        #expect(Set(planned.map(\.body)).count == 5)
        for request in planned {
            let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String]
            #expect(object?["str"]?.count ?? 0 >= 10)
        }
        #expect(generator.statistics.sent == 5 && generator.statistics.inFlight == 5)
    }

    @Test func outcomesAreCountedAndFreeInFlightSlots() throws {
        var generator = try Self.generator(["MAX_IN_FLIGHT": "3"])
        generator.setRate(1_000, now: Self.start)
        let first = generator.tick(now: Self.start + 4 * Self.millisecond)
        #expect(first.count == 3)
        #expect(generator.statistics.droppedByReason[.inFlightCap] == 2)

        let answered = Self.start + 5 * Self.millisecond
        generator.recordResponse(status: 200, intendedSendTime: first[0].intendedSendTime, now: answered)
        generator.recordResponse(status: 503, intendedSendTime: first[1].intendedSendTime, now: answered)
        generator.recordFailure(.timeout, now: answered)
        #expect(generator.statistics.inFlight == 0)

        let second = generator.tick(now: answered)
        #expect(second.map(\.intendedSendTime) == [answered])
        let snapshot = generator.snapshot(now: answered)
        #expect(snapshot.targetRate == 1_000)
        #expect(snapshot.succeeded == 1 && snapshot.failed == 2 && snapshot.dropped == 2 && snapshot.inFlight == 1)
        #expect(snapshot.failedByReason["status_5xx"] == 1 && snapshot.failedByReason["timeout"] == 1)
        #expect(snapshot.latency.count == 1 && abs(snapshot.latency.p50 - 5) < 0.01)
    }

    @Test func resultsFeedTheShares() throws {
        var generator = try Self.generator()
        generator.recordResult(Array("bursty-abc".utf8), now: Self.start)
        generator.recordResult(Array("abc".utf8), now: Self.start)
        generator.recordResult(Array("bursty-def".utf8), now: Self.start)
        let snapshot = generator.snapshot(now: Self.start + 1)
        #expect(snapshot.resultsReceived == 3 && snapshot.burstResultsReceived == 2)
        #expect(abs(snapshot.burstShare - 2.0 / 3) < 1e-12)
    }
}

import HashrCore
import Testing

@testable import FrontendService

/// The scheduler driven by a simulated clock: no sleeping, every time exact.
@Suite struct RateSchedulerTests {
    static let second: Int64 = 1_000_000_000
    static let millisecond: Int64 = 1_000_000
    /// An arbitrary origin, so no test depends on the clock starting at zero.
    static let start: Int64 = 7_654_321_000_000

    /// Ticks every `step` from `from` through `through` (inclusive) and collects every decision.
    static func run(
        _ scheduler: inout RateScheduler, from: Int64, through: Int64, step: Int64 = millisecond,
        inFlight: Int = 0, maxInFlight: Int = .max
    ) -> (sent: [Int64], droppedLate: Int, droppedOverCapacity: Int) {
        var sent: [Int64] = []
        var late = 0
        var over = 0
        var now = from
        while now <= through {
            let decision = scheduler.tick(now: now, inFlight: inFlight, maxInFlight: maxInFlight)
            sent += decision.sendTimes
            late += decision.droppedLate
            over += decision.droppedOverCapacity
            now += step
        }
        return (sent, late, over)
    }

    @Test func stoppedSchedulerDoesNothing() {
        var scheduler = RateScheduler()
        let decision = scheduler.tick(now: Self.start, inFlight: 0, maxInFlight: 10)
        #expect(decision == RateScheduler.Decision(sendTimes: [], droppedLate: 0, droppedOverCapacity: 0, nextDue: nil))
        #expect(scheduler.dueTime(ofRequest: 0) == .max)
    }

    @Test(arguments: [1.0, 2.0, 10.0, 100.0, 1000.0, 20_000.0])
    func integerRatesHaveExactDueTimes(rate: Double) {
        var scheduler = RateScheduler()
        scheduler.setRate(rate, now: Self.start)
        let period = Int64(1e9 / rate)
        for index: Int64 in [0, 1, 2, 3, 17, 1000, 123_457] {
            #expect(scheduler.dueTime(ofRequest: index) == Self.start + index * period)
        }
        // Over two seconds of ticks the requests go out at exactly those times, none dropped.
        let result = Self.run(&scheduler, from: Self.start, through: Self.start + 2 * Self.second)
        #expect(result.sent == (0...Int64(2 * rate)).map { Self.start + $0 * period })
        #expect(result.droppedLate == 0 && result.droppedOverCapacity == 0)
    }

    @Test func nonIntegerRateIsExactToTheNanosecond() {
        var scheduler = RateScheduler()
        scheduler.setRate(3.3, now: Self.start)
        // 1/3.3 s = 303,030,303.03 ns: each due time is rounded once, never accumulated.
        #expect(scheduler.dueTime(ofRequest: 1) == Self.start + 303_030_303)
        #expect(scheduler.dueTime(ofRequest: 2) == Self.start + 606_060_606)
        #expect(scheduler.dueTime(ofRequest: 3) == Self.start + 909_090_909)
        #expect(scheduler.dueTime(ofRequest: 33) == Self.start + 10 * Self.second)
        #expect(scheduler.dueTime(ofRequest: 3_300) == Self.start + 1000 * Self.second)

        let result = Self.run(&scheduler, from: Self.start, through: Self.start + 10 * Self.second)
        #expect(result.sent.count == 34)
        #expect(result.sent.last == Self.start + 10 * Self.second)
    }

    @Test func requestsAreSentOnTheFirstTickAtOrAfterTheirDueTime() {
        var scheduler = RateScheduler()
        scheduler.setRate(4, now: Self.start)
        // Due at 0, 250, 500, 750 ms: each goes out on the first tick at or after its due time.
        #expect(
            scheduler.tick(now: Self.start + 6 * Self.millisecond, inFlight: 0, maxInFlight: 10).sendTimes
                == [Self.start])
        let atEdge = scheduler.tick(now: Self.start + 250 * Self.millisecond, inFlight: 0, maxInFlight: 10)
        #expect(atEdge.sendTimes == [Self.start + 250 * Self.millisecond])
        #expect(atEdge.nextDue == Self.start + 500 * Self.millisecond)
        let justBefore = scheduler.tick(now: Self.start + 500 * Self.millisecond - 1, inFlight: 0, maxInFlight: 10)
        #expect(justBefore.sendTimes.isEmpty)
        #expect(justBefore.nextDue == Self.start + 500 * Self.millisecond)
    }

    @Test func rateChangeStartsANewScheduleAtTheMomentOfTheChange() {
        var scheduler = RateScheduler()
        scheduler.setRate(10, now: Self.start)
        let first = Self.run(&scheduler, from: Self.start, through: Self.start + 1 * Self.second - 1)
        #expect(first.sent.count == 10)

        let change = Self.start + 1 * Self.second + 37 * Self.millisecond
        scheduler.setRate(100, now: change)
        #expect(scheduler.origin == change && scheduler.nextIndex == 0)
        #expect(scheduler.dueTime(ofRequest: 5) == change + 50 * Self.millisecond)
        let second = Self.run(&scheduler, from: change, through: change + Self.second - 1)
        #expect(second.sent == (0..<100).map { change + Int64($0) * 10 * Self.millisecond })

        // Last writer wins, also going down.
        let down = change + Self.second
        scheduler.setRate(2.5, now: down)
        let third = Self.run(&scheduler, from: down, through: down + 2 * Self.second)
        #expect(third.sent == (0...5).map { down + Int64($0) * 400 * Self.millisecond })
    }

    @Test func settingTheSameRateKeepsThePhase() {
        var scheduler = RateScheduler()
        scheduler.setRate(10, now: Self.start)
        _ = scheduler.tick(now: Self.start + 150 * Self.millisecond, inFlight: 0, maxInFlight: 10)
        scheduler.setRate(10, now: Self.start + 160 * Self.millisecond)
        #expect(scheduler.origin == Self.start)
        #expect(scheduler.nextIndex == 2)
    }

    @Test func zeroStopsAndANewRateRestarts() {
        var scheduler = RateScheduler()
        scheduler.setRate(1000, now: Self.start)
        _ = Self.run(&scheduler, from: Self.start, through: Self.start + 100 * Self.millisecond)
        let stop = Self.start + 100 * Self.millisecond + 500_000
        scheduler.setRate(0, now: stop)
        #expect(scheduler.rate == 0)
        let stopped = Self.run(&scheduler, from: stop, through: stop + Self.second)
        #expect(stopped.sent.isEmpty && stopped.droppedLate == 0 && stopped.droppedOverCapacity == 0)

        let restart = stop + 2 * Self.second
        scheduler.setRate(1000, now: restart)
        let decision = scheduler.tick(now: restart, inFlight: 0, maxInFlight: 10)
        #expect(decision.sendTimes == [restart])
    }

    @Test func negativeZeroIsZero() {
        var scheduler = RateScheduler()
        scheduler.setRate(-0.0, now: Self.start)
        #expect(scheduler.rate == 0)
        #expect(scheduler.tick(now: Self.start, inFlight: 0, maxInFlight: 1).nextDue == nil)
    }

    @Test func fullInFlightCapDropsEveryDueRequest() {
        var scheduler = RateScheduler()
        scheduler.setRate(1000, now: Self.start)
        let result = Self.run(
            &scheduler, from: Self.start, through: Self.start + Self.second - 1, inFlight: 50, maxInFlight: 50)
        #expect(result.sent.isEmpty)
        #expect(result.droppedOverCapacity == 1000)
        #expect(result.droppedLate == 0)
    }

    @Test func partlyFullCapSendsTheOldestAndDropsTheRest() {
        var scheduler = RateScheduler()
        scheduler.setRate(10_000, now: Self.start)
        // 21 requests are due by 2 ms; only 5 slots are free.
        let decision = scheduler.tick(now: Self.start + 2 * Self.millisecond, inFlight: 95, maxInFlight: 100)
        #expect(decision.sendTimes == (0..<5).map { Self.start + Int64($0) * 100_000 })
        #expect(decision.droppedOverCapacity == 16)
        #expect(decision.droppedLate == 0)
        #expect(decision.nextDue == Self.start + 2_100_000)
        // Dropped requests are gone: the next tick starts after them, never sends them late.
        let next = scheduler.tick(now: Self.start + 2_100_000, inFlight: 0, maxInFlight: 100)
        #expect(next.sendTimes == [Self.start + 2_100_000])
    }

    @Test func overfullCapIsTreatedAsFull() {
        var scheduler = RateScheduler()
        scheduler.setRate(1000, now: Self.start)
        let decision = scheduler.tick(now: Self.start, inFlight: 120, maxInFlight: 100)
        #expect(decision.sendTimes.isEmpty && decision.droppedOverCapacity == 1)
    }

    @Test func stalledLoopDropsMissedRequestsInsteadOfBursting() {
        var scheduler = RateScheduler()  // late tolerance 10 ms
        scheduler.setRate(10_000, now: Self.start)
        let before = Self.run(&scheduler, from: Self.start, through: Self.start + Self.second)
        #expect(before.sent.count == 10_001 && before.droppedLate == 0)

        // No tick for 500 ms: requests due from 1.0001 s to 1.5 s are all decided on the next tick.
        let resume = Self.start + Self.second + 500 * Self.millisecond
        let decision = scheduler.tick(now: resume, inFlight: 0, maxInFlight: .max)
        // Only those due within 10 ms of now (1.490 s ... 1.500 s inclusive) go out: 101, not 5,000.
        #expect(decision.sendTimes.count == 101)
        #expect(decision.sendTimes.first == resume - 10 * Self.millisecond)
        #expect(decision.sendTimes.last == resume)
        #expect(decision.droppedLate == 4_899)
        #expect(decision.droppedOverCapacity == 0)
        // Every request is accounted for exactly once.
        #expect(scheduler.nextIndex == 15_001)
        // And the schedule carries on at its old phase.
        #expect(scheduler.tick(now: resume + 100_000, inFlight: 0, maxInFlight: .max).sendTimes == [resume + 100_000])
    }

    @Test func hourLongStallIsSkippedInOneStep() {
        var scheduler = RateScheduler()
        scheduler.setRate(20_000, now: Self.start)
        let decision = scheduler.tick(now: Self.start + 3600 * Self.second, inFlight: 0, maxInFlight: .max)
        #expect(decision.droppedLate == 72_000_000 - 200)
        #expect(decision.sendTimes.count == 201)
    }

    @Test func lateToleranceIsConfigurable() {
        var strict = RateScheduler(configuration: .init(lateTolerance: .zero))
        strict.setRate(1000, now: Self.start)
        let decision = strict.tick(now: Self.start + 5 * Self.millisecond, inFlight: 0, maxInFlight: .max)
        #expect(decision.sendTimes == [Self.start + 5 * Self.millisecond])
        #expect(decision.droppedLate == 5)

        var lenient = RateScheduler(configuration: .init(lateTolerance: .milliseconds(100)))
        lenient.setRate(1000, now: Self.start)
        let late = lenient.tick(now: Self.start + 100 * Self.millisecond, inFlight: 0, maxInFlight: .max)
        #expect(late.sendTimes.count == 101 && late.droppedLate == 0)
    }

    @Test func sixtySecondsAtTenThousandPerSecondIsExactlySixHundredThousand() {
        var scheduler = RateScheduler()
        scheduler.setRate(10_000, now: Self.start)
        // Ticks wander within each millisecond, as a real timer's do, but never by more than the tolerance.
        var jitter = FastRandom(seed: 42)
        var count = 0
        var expected = Self.start
        var exact = true
        var dropped = 0
        for tick in 0..<60_000 {
            let now = Self.start + Int64(tick) * Self.millisecond + Int64.random(in: 0..<900_000, using: &jitter)
            let decision = scheduler.tick(now: now, inFlight: 0, maxInFlight: 1000)
            for time in decision.sendTimes {
                exact = exact && time == expected
                expected += 100_000
            }
            count += decision.sendTimes.count
            dropped += decision.dropped
        }
        let last = scheduler.tick(now: Self.start + 60 * Self.second - 1, inFlight: 0, maxInFlight: 1000)
        count += last.sendTimes.count
        #expect(count == 600_000)
        #expect(dropped == 0)
        #expect(exact, "every intended send time is t0 + i × 100 µs")
        #expect(last.nextDue == Self.start + 60 * Self.second)
    }
}

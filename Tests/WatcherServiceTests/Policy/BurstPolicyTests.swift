import Testing

@testable import WatcherService

/// A policy at a fixed origin of time, so tests say "at 12.5 s" instead of doing clock arithmetic.
private struct Harness {
    let origin = ContinuousClock.now
    var policy: BurstPolicy

    init(
        _ mode: BurstMode, dwell: Duration = .zero, grace: Duration = .seconds(30), recoveryHold: Duration = .zero,
        weight: Int? = 0
    ) {
        policy = BurstPolicy(
            configuration: .init(mode: mode, minimumDwell: dwell, noDataGrace: grace, recoveryHold: recoveryHold))
        if let weight { policy.routerReported(burstWeight: weight, at: origin) }
    }

    func at(_ seconds: Double) -> ContinuousClock.Instant { origin + .milliseconds(Int(seconds * 1000)) }

    mutating func decide(_ observation: Observation, _ seconds: Double = 0) -> BurstDecision {
        policy.decide(observation, at: at(seconds))
    }

    mutating func rate(_ value: Double, _ seconds: Double = 0) -> Int? {
        decide(.value(value), seconds).burstWeight
    }

    mutating func report(_ weight: Int, _ seconds: Double = 0) {
        policy.routerReported(burstWeight: weight, at: at(seconds))
    }
}

@Suite struct BurstPolicyAllModeTests {
    let mode = BurstMode.all(high: 15, low: 10)

    @Test func holdsUntilTheRouterHasReported() {
        var h = Harness(mode, weight: nil)
        let decision = h.decide(.value(100))
        #expect(decision.burstWeight == nil)
        #expect(decision.reason.contains("not known yet"))
        h.report(0)
        #expect(h.rate(100) == 100)
    }

    @Test func entersBurstOnlyAboveHigh() {
        var h = Harness(mode, weight: 0)
        #expect(h.rate(15) == nil)
        #expect(h.rate(12) == nil)
        #expect(h.rate(10) == nil)
        let decision = h.decide(.value(15.01))
        #expect(
            decision
                == .change(burstWeight: 100, reason: "rate 15.01 rps above BURST_HIGH_RPS 15: burst weight 0 -> 100"))
    }

    @Test func returnsOnlyBelowLow() {
        var h = Harness(mode, weight: 100)
        #expect(h.rate(1000) == nil)
        #expect(h.rate(15) == nil)
        #expect(h.rate(10) == nil)
        #expect(h.decide(.value(12)).reason == "rate 12 rps within the band 10...15, keeping burst weight 100")
        let decision = h.decide(.value(9.5))
        #expect(
            decision == .change(burstWeight: 0, reason: "rate 9.5 rps below BURST_LOW_RPS 10: burst weight 100 -> 0"))
    }

    @Test func alreadyRightHoldsWithReason() {
        var h = Harness(mode, weight: 100)
        let decision = h.decide(.value(20))
        #expect(decision == .hold(reason: "rate 20 rps above BURST_HIGH_RPS 15; burst weight is already 100"))
    }

    @Test func zeroTrafficReturnsEvenWithLowZero() {
        var h = Harness(.all(high: 0, low: 0), weight: 100)
        #expect(h.decide(.value(0)).reason == "rate 0 rps means no traffic: burst weight 100 -> 0")
        #expect(h.rate(0) == 0)
        h.report(0)
        #expect(h.rate(0.1) == 100)
    }

    @Test func anIntermediateWeightIsMovedToTheEnds() {
        var h = Harness(mode, weight: 30)
        #expect(h.rate(12) == nil)
        #expect(h.rate(20) == 100)
        #expect(h.rate(5) == 0)
    }

    @Test func aFailedChangeIsDecidedAgainNextTick() {
        var h = Harness(mode, weight: 0)
        #expect(h.rate(20, 1) == 100)
        // The router did not report a new weight: the change failed, so it is wanted again.
        #expect(h.rate(20, 2) == 100)
        h.report(100, 3)
        #expect(h.rate(20, 4) == nil)
    }

    @Test func fullCycleWithTheDriver() {
        var h = Harness(mode, weight: 0)
        var transitions: [Int] = []
        let rates: [Double] = [0, 5, 14, 16, 16, 13, 11, 9, 9, 12, 20, 0]
        for (tick, rate) in rates.enumerated() {
            if let weight = h.rate(rate, Double(tick)) {
                transitions.append(weight)
                h.report(weight, Double(tick))
            }
        }
        #expect(transitions == [100, 0, 100, 0])
    }

    @Test func dwellDelaysLeavingAState() {
        var h = Harness(mode, dwell: .seconds(10), weight: 0)
        let held = h.decide(.value(20), 4)
        #expect(held.burstWeight == nil)
        #expect(held.reason == "rate 20 rps above BURST_HIGH_RPS 15, but MIN_DWELL keeps burst weight 0 for 6s more")
        #expect(h.rate(20, 9.999) == nil)
        #expect(h.rate(20, 10) == 100)
        h.report(100, 10)
        #expect(h.rate(0, 15) == nil)
        // Reporting the same weight again does not restart the dwell.
        h.report(100, 18)
        #expect(h.rate(0, 19.5) == nil)
        #expect(h.rate(0, 20) == 0)
    }

    @Test func errorsNaNAndNonsenseHold() {
        var h = Harness(mode, weight: 100)
        #expect(
            h.decide(.error("connection refused"))
                == .hold(reason: "query failed, holding the route: connection refused"))
        #expect(h.decide(.notANumber("NaN")) == .hold(reason: "query returned NaN, holding the route"))
        #expect(h.decide(.value(-1)).burstWeight == nil)
        #expect(h.decide(.value(.nan)).burstWeight == nil)
        #expect(h.decide(.value(.infinity)).burstWeight == nil)
        #expect(h.policy.currentWeight == 100)
    }

    /// Prometheus restarted while bursting: its first rates cover part of their range and read low.
    @Test func afterFailedQueriesAnswersHoldForTheQueryRange() {
        var h = Harness(mode, recoveryHold: .seconds(5), weight: 100)
        #expect(h.decide(.error("connection refused"), 1).burstWeight == nil)
        #expect(h.decide(.error("connection refused"), 2).burstWeight == nil)
        let first = h.decide(.value(6), 3)
        #expect(first.burstWeight == nil)
        #expect(first.reason.contains("answers again after failing") && first.reason.contains("5s range"), "\(first.reason)")
        #expect(h.rate(6, 7.9) == nil)
        #expect(h.decide(.noData, 7.9).burstWeight == nil)
        #expect(h.rate(6, 8) == 0)  // a full range after the first answer: the low rate counts
    }

    @Test func theHoldStartsAtTheFirstRateNotAtNoData() {
        var h = Harness(mode, recoveryHold: .seconds(5), weight: 100)
        #expect(h.decide(.error("connection refused"), 1).burstWeight == nil)
        // A restarted Prometheus says "no data" until it has two scrapes: held by the grace.
        #expect(h.decide(.noData, 2).reason.contains("NO_DATA_GRACE"))
        #expect(h.rate(7, 8) == nil)
        #expect(h.rate(7, 12.9) == nil)
        #expect(h.rate(7, 13) == 0)
    }

    @Test func withoutFailuresOrWithNoDataThereIsNoRecoveryHold() {
        var h = Harness(mode, grace: .zero, recoveryHold: .seconds(5), weight: 0)
        #expect(h.rate(20, 1) == 100)
        h.report(100, 1)
        // "No data" is not a failure (a service without traffic yet): the grace rules it, not the hold.
        #expect(h.decide(.noData, 2).burstWeight == 0)
    }

    @Test func noDataHoldsThroughTheGraceThenCountsAsZero() {
        var h = Harness(mode, weight: 100)
        for second in stride(from: 0.0, to: 30, by: 1) {
            #expect(h.decide(.noData, second).burstWeight == nil)
        }
        #expect(h.decide(.noData, 29).reason.contains("until NO_DATA_GRACE 30s has passed"))
        let decision = h.decide(.noData, 30)
        #expect(
            decision
                == .change(
                    burstWeight: 0,
                    reason: "no data for 30s (counted as rate 0 rps) below BURST_LOW_RPS 10: burst weight 100 -> 0"))
    }

    @Test func anythingElseRestartsTheNoDataCount() {
        for interruption in [Observation.error("down"), .notANumber("NaN"), .value(12)] {
            var h = Harness(mode, weight: 100)
            _ = h.decide(.noData, 0)
            _ = h.decide(interruption, 10)
            #expect(h.decide(.noData, 20).burstWeight == nil)
            #expect(h.decide(.noData, 49).burstWeight == nil)
            #expect(h.decide(.noData, 50).burstWeight == 0)
        }
    }

    @Test func zeroGraceCountsNoDataAtOnce() {
        var h = Harness(mode, grace: .zero, weight: 100)
        #expect(h.decide(.noData).burstWeight == 0)
    }

    @Test func noDataInNaturalStateHolds() {
        var h = Harness(mode, weight: 0)
        #expect(h.decide(.noData, 40).burstWeight == nil)
        #expect(h.decide(.noData, 80).reason.contains("already 0"))
    }
}

@Suite struct BurstPolicyOverflowModeTests {
    let mode = BurstMode.overflow(capacity: 10, step: 5)

    @Test(arguments: [
        (0.0, 0), (5, 0), (10, 0), (10.4, 4), (12, 17), (20, 50), (40, 75), (1000, 99), (10_000, 100), (1e12, 100),
    ])
    func weightFormula(rate: Double, expected: Int) {
        #expect(BurstPolicy.overflowWeight(rate: rate, capacity: 10) == expected)
    }

    @Test func smallMovesFromZeroAreIgnored() {
        var h = Harness(mode, weight: 0)
        let decision = h.decide(.value(10.4))
        #expect(
            decision
                == .hold(
                    reason:
                        "rate 10.4 rps against PRIMARY_CAPACITY_RPS 10 wants burst weight 4, within WEIGHT_STEP 5 of 0")
        )
        #expect(h.rate(10.6) == 6)
    }

    @Test func changesOnlyByAtLeastTheStep() {
        var h = Harness(mode, weight: 50)
        #expect(h.rate(21) == nil)  // 52
        #expect(h.rate(18.5) == nil)  // 46
        #expect(h.rate(18) == 44)
        #expect(h.rate(25) == 60)
    }

    @Test func zeroAndHundredAreAlwaysReached() {
        var h = Harness(mode, weight: 3)
        #expect(h.rate(9) == 0)
        h.report(0)
        #expect(h.rate(9) == nil)
        var high = Harness(.overflow(capacity: 1, step: 5), weight: 97)
        #expect(high.rate(1000) == 100)
    }

    @Test func noDataAfterGraceReturnsToPrimary() {
        var h = Harness(mode, weight: 60)
        #expect(h.decide(.noData, 0).burstWeight == nil)
        #expect(h.decide(.noData, 30).burstWeight == 0)
    }

    @Test func errorsHold() {
        var h = Harness(mode, weight: 60)
        #expect(h.decide(.error("timeout")).burstWeight == nil)
        #expect(h.decide(.notANumber("+Inf")).burstWeight == nil)
    }

    @Test func dwellAppliesBetweenWeightChanges() {
        var h = Harness(mode, dwell: .seconds(5), weight: 0)
        #expect(h.rate(20, 1) == nil)
        #expect(h.rate(20, 5) == 50)
        h.report(50, 5)
        #expect(h.rate(40, 6) == nil)
        #expect(h.rate(40, 10) == 75)
    }
}

@Suite struct BurstPolicyReportingTests {
    @Test func reportedWeightsAreClamped() {
        var h = Harness(.all(high: 15, low: 10), weight: nil)
        h.report(250)
        #expect(h.policy.currentWeight == 100)
        h.report(-3)
        #expect(h.policy.currentWeight == 0)
    }

    @Test(arguments: [(17.254, "17.25"), (15, "15"), (0.1, "0.1"), (1e15, "1000000000000000.0"), (-2.5, "-2.5")])
    func ratesAreFormattedForLogs(rate: Double, text: String) {
        #expect(BurstPolicy.format(rate) == text)
    }

    @Test func modeNames() {
        #expect(BurstMode.all(high: 1, low: 0).name == "all")
        #expect(BurstMode.overflow(capacity: 1, step: 1).name == "overflow")
    }
}

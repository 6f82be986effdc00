import Testing

@testable import WatcherService

/// Drives the controller like the event loop would, with a fake clock.
private struct Driver {
    let origin = ContinuousClock.now
    var controller: WatcherController
    var seconds: Double = 0

    init(dryRun: Bool = false, dwell: Duration = .zero) {
        controller = WatcherController(
            policy: .init(mode: .all(high: 15, low: 10), minimumDwell: dwell), dryRun: dryRun,
            routerTarget: "test route")
    }

    var now: ContinuousClock.Instant { origin + .milliseconds(Int(seconds * 1000)) }

    /// Actions other than log lines.
    static func work(_ actions: [WatcherAction]) -> [WatcherAction] {
        actions.filter { if case .log = $0 { false } else { true } }
    }

    static func logs(_ actions: [WatcherAction], _ level: WatcherAction.Level) -> [String] {
        actions.compactMap { if case .log(level, let line) = $0 { line } else { nil } }
    }

    mutating func start() -> [WatcherAction] { controller.start(at: now) }
    mutating func tick() -> [WatcherAction] {
        seconds += 1
        return controller.tick(at: now)
    }
    mutating func query(_ observation: Observation) -> [WatcherAction] {
        controller.queryFinished(observation, at: now)
    }
    mutating func read(_ result: Result<Int?, RouterError>) -> [WatcherAction] {
        controller.routerRead(result, at: now)
    }
    mutating func changed(_ result: Result<RouterChange, RouterError>) -> [WatcherAction] {
        controller.changeFinished(result, at: now)
    }

    /// Start and read `weight` from the router.
    mutating func started(at weight: Int?) -> [WatcherAction] {
        _ = start()
        return read(.success(weight))
    }
}

@Suite struct WatcherControllerTests {
    @Test func readsTheRouteFirstAndIsReadyOnlyThen() {
        var d = Driver()
        let actions = d.start()
        #expect(Driver.work(actions) == [.readRouter])
        #expect(Driver.logs(actions, .info) == ["starting; reading the current route from test route"])
        #expect(!d.controller.isReady)
        #expect(Driver.logs(d.read(.success(100)), .info) == ["burst weight is 100 (read from test route)"])
        #expect(d.controller.isReady)
        #expect(d.controller.statistics.burstWeight == 100)
    }

    @Test func aFullBurstCycle() {
        var d = Driver()
        _ = d.started(at: 0)
        #expect(Driver.work(d.tick()) == [.query])
        let burst = d.query(.value(20))
        #expect(
            Driver.work(burst) == [
                .applyRouter(burstWeight: 100, reason: "rate 20 rps above BURST_HIGH_RPS 15: burst weight 0 -> 100")
            ])
        #expect(
            Driver.logs(burst, .info) == [
                "changing test route: rate 20 rps above BURST_HIGH_RPS 15: burst weight 0 -> 100"
            ])
        #expect(Driver.work(d.changed(.success(RouterChange(changed: true)))) == [.readRouter])
        _ = d.read(.success(100))
        #expect(d.controller.statistics.transitionsToBurst == 1)
        _ = d.tick()
        #expect(Driver.work(d.query(.value(12))) == [])
        _ = d.tick()
        #expect(Driver.work(d.query(.value(3))).count == 1)
        _ = d.changed(.success(RouterChange(changed: true)))
        _ = d.read(.success(0))
        #expect(d.controller.statistics.transitionsToPrimary == 1)
        #expect(d.controller.statistics.burstWeight == 0)
        #expect(d.controller.statistics.observedRate == 3)
        #expect(d.controller.statistics.queryOutcomes == [.value: 3])
    }

    @Test func aFailedChangeIsRetriedAfterAFreshRead() {
        var d = Driver()
        _ = d.started(at: 0)
        _ = d.tick()
        _ = d.query(.value(20))
        let failed = d.changed(.failure(RouterError("PATCH failed: timed out")))
        #expect(
            Driver.logs(failed, .error) == ["changing the route failed, will retry next tick: PATCH failed: timed out"])
        #expect(Driver.work(failed) == [])
        #expect(d.controller.policy.currentWeight == 0)
        #expect(d.controller.statistics.routerErrors == 1)
        #expect(d.controller.statistics.consecutiveRouterFailures == 1)
        #expect(Driver.work(d.tick()) == [.readRouter, .query])
        _ = d.read(.success(0))
        #expect(d.controller.statistics.consecutiveRouterFailures == 0)
        #expect(
            Driver.work(d.query(.value(20))).first
                == .applyRouter(burstWeight: 100, reason: "rate 20 rps above BURST_HIGH_RPS 15: burst weight 0 -> 100"))
    }

    @Test func aFailedReadIsRetriedAndNothingIsDecidedMeanwhile() {
        var d = Driver()
        _ = d.start()
        #expect(
            Driver.logs(d.read(.failure(RouterError("403"))), .error) == [
                "cannot read the route, will retry next tick: 403"
            ])
        #expect(Driver.work(d.tick()) == [.readRouter, .query])
        #expect(Driver.work(d.query(.value(50))) == [])
        _ = d.read(.success(0))
        _ = d.tick()
        #expect(Driver.work(d.query(.value(50))).count == 1)
    }

    @Test func oneQueryAndOneRouterCallAtATime() {
        var d = Driver()
        _ = d.started(at: 0)
        #expect(Driver.work(d.tick()) == [.query])
        let skipped = d.tick()
        #expect(Driver.work(skipped) == [])
        #expect(Driver.logs(skipped, .debug) == ["the previous query is still running; skipping this tick"])
        #expect(Driver.work(d.query(.value(20))).count == 1)
        _ = d.tick()
        // The change is still running: the same decision must not start a second one.
        let busy = d.query(.value(20))
        #expect(Driver.work(busy) == [])
        #expect(Driver.logs(busy, .debug).first?.hasSuffix("the router is busy, deciding again next tick") == true)
    }

    @Test func errorsHoldAndAreLoggedOncePerStreak() {
        var d = Driver()
        _ = d.started(at: 100)
        var warnings: [String] = []
        for _ in 1...3 {
            _ = d.tick()
            let actions = d.query(.error("connection refused"))
            #expect(Driver.work(actions) == [])
            warnings += Driver.logs(actions, .warning)
        }
        _ = d.tick()
        warnings += Driver.logs(d.query(.error("HTTP 502")), .warning)
        #expect(
            warnings == [
                "query failed, holding the route: connection refused",
                "query failed, holding the route (4 failures in a row): HTTP 502",
            ])
        #expect(d.controller.statistics.consecutiveQueryFailures == 4)
        _ = d.tick()
        #expect(Driver.logs(d.query(.notANumber("NaN")), .info) == ["Prometheus answers again after 4 failed queries"])
        #expect(d.controller.statistics.consecutiveQueryFailures == 0)
        #expect(d.controller.statistics.queryOutcomes == [.error: 4, .notANumber: 1])
        #expect(d.controller.policy.currentWeight == 100)
    }

    @Test func longStreaksAreRemindedPeriodically() {
        var d = Driver()
        _ = d.started(at: 100)
        var warnings = 0
        for _ in 1...(2 * WatcherController.repeatedFailureLogInterval) {
            _ = d.tick()
            warnings += Driver.logs(d.query(.error("down")), .warning).count
        }
        #expect(warnings == 3)
    }

    @Test func theCommandRouterGetsItsStartingStateApplied() {
        var d = Driver()
        let actions = d.started(at: nil)
        #expect(
            Driver.work(actions) == [
                .applyRouter(
                    burstWeight: 0, reason: "applying the starting state natural, as test route cannot be read")
            ])
        #expect(!d.controller.isReady)
        #expect(Driver.work(d.changed(.success(RouterChange(changed: true)))) == [.readRouter])
        _ = d.read(.success(nil))
        #expect(d.controller.policy.currentWeight == 0)
        #expect(d.controller.statistics.transitionsToBurst + d.controller.statistics.transitionsToPrimary == 0)
        _ = d.tick()
        _ = d.query(.value(30))
        _ = d.changed(.success(RouterChange(changed: true)))
        _ = d.read(.success(nil))
        #expect(d.controller.policy.currentWeight == 100)
        #expect(d.controller.statistics.transitionsToBurst == 1)
    }

    @Test func theCommandRoutersFailedStartIsRetried() {
        var d = Driver()
        _ = d.started(at: nil)
        _ = d.changed(.failure(RouterError("exited with status 1")))
        #expect(Driver.work(d.tick()) == [.readRouter, .query])
        #expect(
            Driver.work(d.read(.success(nil))).first
                == .applyRouter(
                    burstWeight: 0, reason: "applying the starting state natural, as test route cannot be read"))
    }

    @Test func dryRunDecidesAndLogsButNeverChanges() {
        var d = Driver(dryRun: true)
        #expect(
            Driver.logs(d.start(), .info) == [
                "starting; reading the current route from test route (DRY_RUN: no route will be changed)"
            ])
        _ = d.read(.success(0))
        _ = d.tick()
        let would = d.query(.value(20))
        #expect(Driver.work(would) == [])
        #expect(
            Driver.logs(would, .info) == [
                "DRY_RUN: would change test route: rate 20 rps above BURST_HIGH_RPS 15: burst weight 0 -> 100"
            ])
        #expect(d.controller.statistics.burstWeight == 100)
        _ = d.tick()
        #expect(Driver.logs(d.query(.value(20)), .info) == [])
        var command = Driver(dryRun: true)
        #expect(Driver.work(command.started(at: nil)) == [])
        #expect(command.controller.isReady)
    }

    @Test func alreadyRightAndWarningsAreLogged() {
        var d = Driver()
        _ = d.started(at: 0)
        _ = d.tick()
        _ = d.query(.value(20))
        let done = d.changed(.success(RouterChange(changed: false, warnings: ["could not record an Event"])))
        #expect(Driver.logs(done, .warning) == ["could not record an Event"])
        #expect(Driver.logs(done, .info) == ["test route already had the wanted weights"])
        #expect(d.controller.statistics.transitionsToBurst == 0)
    }

    @Test func noDataOnlyCountsAfterTheGrace() {
        var d = Driver()
        _ = d.started(at: 100)
        for _ in 1...29 {
            _ = d.tick()
            #expect(Driver.work(d.query(.noData)) == [])
        }
        _ = d.tick()
        _ = d.query(.noData)
        _ = d.tick()
        #expect(Driver.work(d.query(.noData)).first?.description.contains("applyRouter(burstWeight: 0") == true)
        #expect(d.controller.statistics.queryOutcomes[.noData] == 31)
    }
}

extension WatcherAction: CustomStringConvertible {
    public var description: String {
        switch self {
        case .query: "query"
        case .readRouter: "readRouter"
        case .applyRouter(let weight, let reason): "applyRouter(burstWeight: \(weight), reason: \(reason))"
        case .log(let level, let line): "log(\(level.rawValue), \(line))"
        }
    }
}

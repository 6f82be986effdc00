/// istiowatcher's control loop as a pure state machine: the event-loop driver reports what
/// happened (`start`, a timer `tick`, a finished query or router call) and performs the returned
/// `WatcherAction`s. No I/O and no clock of its own, so every path is tested without sockets.
///
/// Guarantees, whatever order events arrive in:
/// - at most one query and one router call are in flight;
/// - the route is read from the router at start and after every change (never assumed); a
///   router that cannot be read (the command router) gets its believed state applied at start,
///   natural, and afterwards is believed to hold what it last applied successfully;
/// - a failed change leaves the believed state alone, so the next tick decides it again, and the
///   route is re-read first (a change may have half happened);
/// - under DRY_RUN no change is ever requested: decisions are logged and simulated.
public struct WatcherController: Sendable {
    /// A query failure streak is logged at its start and then every this many failures.
    public static let repeatedFailureLogInterval = 60

    /// The decision rule, with the route's state as last read.
    public private(set) var policy: BurstPolicy
    /// Counters and gauges for `/metrics`.
    public private(set) var statistics = WatcherStatistics()
    /// `DRY_RUN`: decisions are logged and simulated, never applied.
    public let dryRun: Bool
    /// What the router changes, for log lines.
    public let routerTarget: String

    private var queryInFlight = false
    private var routerBusy = false
    /// The route must be read before the next change (at start, after a failure).
    private var needsRead = true
    /// The weight being applied, to believe after a successful change when the router cannot read.
    private var applying: Int?
    private var lastQueryError: String?

    /// A controller that has not started; call `start(at:)` first.
    public init(policy: BurstPolicy.Configuration, dryRun: Bool, routerTarget: String) {
        self.policy = BurstPolicy(configuration: policy)
        self.dryRun = dryRun
        self.routerTarget = routerTarget
    }

    /// Ready (for `/_healthz`) once the route's state is known.
    public var isReady: Bool { policy.currentWeight != nil }

    /// The process has started: read the route first.
    public mutating func start(at now: BurstPolicy.Instant) -> [WatcherAction] {
        let mode = dryRun ? " (DRY_RUN: no route will be changed)" : ""
        return [.log(.info, "starting; reading the current route from \(routerTarget)\(mode)")] + readIfIdle()
    }

    /// The poll timer fired.
    public mutating func tick(at now: BurstPolicy.Instant) -> [WatcherAction] {
        var actions = needsRead ? readIfIdle() : []
        if queryInFlight {
            actions.append(.log(.debug, "the previous query is still running; skipping this tick"))
        } else {
            queryInFlight = true
            actions.append(.query)
        }
        return actions
    }

    /// A query ended with `observation`.
    public mutating func queryFinished(_ observation: Observation, at now: BurstPolicy.Instant) -> [WatcherAction] {
        queryInFlight = false
        statistics.queryOutcomes[observation.kind, default: 0] += 1
        var actions = logQueryHealth(observation)
        if case .value(let rate) = observation { statistics.observedRate = rate }
        let decision = policy.decide(observation, at: now)
        guard case .change(let weight, let reason) = decision else {
            actions.append(.log(.debug, decision.reason))
            return actions
        }
        if dryRun {
            policy.routerReported(burstWeight: weight, at: now)
            statistics.burstWeight = weight
            return actions + [.log(.info, "DRY_RUN: would change \(routerTarget): \(reason)")]
        }
        guard !routerBusy else {
            return actions + [.log(.debug, "\(reason); the router is busy, deciding again next tick")]
        }
        routerBusy = true
        applying = weight
        return actions + [
            .log(.info, "changing \(routerTarget): \(reason)"), .applyRouter(burstWeight: weight, reason: reason),
        ]
    }

    /// A router read ended: the burst weight, nil when the router cannot read, or an error.
    public mutating func routerRead(_ result: Result<Int?, RouterError>, at now: BurstPolicy.Instant) -> [WatcherAction]
    {
        routerBusy = false
        switch result {
        case .failure(let error):
            return routerFailed("cannot read the route, will retry next tick: \(error.message)")
        case .success(let weight?):
            return believe(weight, read: true, at: now)
        case .success(nil):
            if let applied = applying {
                return believe(applied, read: false, at: now)
            }
            if let current = policy.currentWeight {
                return believe(current, read: false, at: now)
            }
            // A router that cannot be read starts from the state we believe in: natural.
            if dryRun { return believe(0, read: false, at: now) }
            routerBusy = true
            applying = 0
            let reason = "applying the starting state natural, as \(routerTarget) cannot be read"
            return [.log(.info, reason), .applyRouter(burstWeight: 0, reason: reason)]
        }
    }

    /// A router change ended.
    public mutating func changeFinished(_ result: Result<RouterChange, RouterError>, at now: BurstPolicy.Instant)
        -> [WatcherAction]
    {
        routerBusy = false
        switch result {
        case .failure(let error):
            applying = nil
            return routerFailed("changing the route failed, will retry next tick: \(error.message)")
        case .success(let change):
            statistics.consecutiveRouterFailures = 0
            var actions = change.warnings.map { WatcherAction.log(.warning, $0) }
            if let target = applying, let before = policy.currentWeight, change.changed, target != before {
                if target > before { statistics.transitionsToBurst += 1 } else { statistics.transitionsToPrimary += 1 }
            }
            if !change.changed { actions.append(.log(.info, "\(routerTarget) already had the wanted weights")) }
            needsRead = true
            return actions + readIfIdle()
        }
    }

    private mutating func readIfIdle() -> [WatcherAction] {
        guard !routerBusy else { return [] }
        routerBusy = true
        needsRead = false
        return [.readRouter]
    }

    private mutating func believe(_ weight: Int, read: Bool, at now: BurstPolicy.Instant) -> [WatcherAction] {
        let previous = policy.currentWeight
        applying = nil
        needsRead = false
        statistics.consecutiveRouterFailures = 0
        policy.routerReported(burstWeight: weight, at: now)
        statistics.burstWeight = policy.currentWeight
        let source = read ? "read from" : "believed for"
        guard previous != policy.currentWeight else {
            return [.log(.debug, "burst weight \(weight) \(source) \(routerTarget)")]
        }
        return [.log(.info, "burst weight is \(weight) (\(source) \(routerTarget))")]
    }

    private mutating func routerFailed(_ message: String) -> [WatcherAction] {
        statistics.routerErrors += 1
        statistics.consecutiveRouterFailures += 1
        needsRead = true
        return [.log(.error, message)]
    }

    /// One warning when queries start failing (and every `repeatedFailureLogInterval` failures),
    /// one info line when they recover, instead of a line per tick.
    private mutating func logQueryHealth(_ observation: Observation) -> [WatcherAction] {
        guard case .error(let message) = observation else {
            defer {
                statistics.consecutiveQueryFailures = 0
                lastQueryError = nil
            }
            let failures = statistics.consecutiveQueryFailures
            return failures > 0 ? [.log(.info, "Prometheus answers again after \(failures) failed queries")] : []
        }
        statistics.consecutiveQueryFailures += 1
        let count = statistics.consecutiveQueryFailures
        defer { lastQueryError = message }
        guard count == 1 || message != lastQueryError || count % Self.repeatedFailureLogInterval == 0 else { return [] }
        let streak = count > 1 ? " (\(count) failures in a row)" : ""
        return [.log(.warning, "query failed, holding the route\(streak): \(message)")]
    }
}

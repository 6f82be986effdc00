import HashrCore

/// Decides the burst weight from observations: a pure value type with the clock passed in.
///
/// The driver tells it the route's real state (`routerReported`) at start and after every change,
/// then asks `decide` once per observation. The policy never assumes a change happened: until the
/// router reports the new weight, it keeps deciding from the old one, so a failed change is simply
/// decided again on the next tick.
///
/// Rules, in order:
/// - An error, `NaN`/`Inf` or a negative rate holds the route (we know nothing useful).
/// - After errors, everything holds the route for `recoveryHold` from the first rate (a rate over a
///   range Prometheus was partly away for reads low).
/// - "No data" holds the route until it has lasted `noDataGrace`; from then on it counts as zero
///   traffic. Any other outcome restarts that count, so only an unbroken run of empty answers
///   returns traffic to primary.
/// - The mode (`BurstMode`) turns a rate into a target weight or a hold.
/// - A target equal to the current weight holds; so does any change within `minimumDwell` of the
///   last one (the dwell also counts from start, as the route's age before start is unknown).
public struct BurstPolicy: Sendable {
    /// Points in time as the driver's clock gives them.
    public typealias Instant = ContinuousClock.Instant

    /// The mode, dwell and no-data grace.
    public let configuration: Configuration
    /// The burst weight as last reported by the router; nil until the first report.
    public private(set) var currentWeight: Int?
    /// When `currentWeight` took its value, for the dwell.
    private var weightSince: Instant?
    /// When the current run of "no data" answers began.
    private var noDataSince: Instant?
    /// Whether a query failed and no rate has come since: the next rate starts the recovery hold.
    private var failing = false
    /// When Prometheus gave a rate again after failing.
    private var recoveredAt: Instant?

    /// A policy that knows nothing of the route yet: it holds until `routerReported`.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Records the route's state as read from the router. Only a different weight restarts the dwell.
    public mutating func routerReported(burstWeight: Int, at now: Instant) {
        let weight = min(max(burstWeight, 0), 100)
        guard weight != currentWeight else { return }
        currentWeight = weight
        weightSince = now
    }

    /// The decision for one observation made at `now`.
    public mutating func decide(_ observation: Observation, at now: Instant) -> BurstDecision {
        switch observation {
        case .error(let message):
            noDataSince = nil
            failing = true
            return .hold(reason: "query failed, holding the route: \(message)")
        case .notANumber(let text):
            if let hold = holdWhileRecovering(at: now) { return hold }
            noDataSince = nil
            return .hold(reason: "query returned \(text), holding the route")
        case .value(let rate):
            // The first rate, not the first answer: a restarted Prometheus answers "no data" until
            // it has scraped twice, and its first rates are the ones that read low.
            if failing {
                failing = false
                recoveredAt = now
            }
            if let hold = holdWhileRecovering(at: now) { return hold }
            noDataSince = nil
            guard rate.isFinite, rate >= 0 else {
                return .hold(reason: "query returned \(rate), not a rate, holding the route")
            }
            return decide(rate: rate, why: "rate \(Self.format(rate)) rps", at: now)
        case .noData:
            if let hold = holdWhileRecovering(at: now) { return hold }
            let since = noDataSince ?? now
            noDataSince = since
            let silent = since.duration(to: now)
            guard silent >= configuration.noDataGrace else {
                return .hold(
                    reason: "no data for \(silent.shortText), holding the route until "
                        + "NO_DATA_GRACE \(configuration.noDataGrace.shortText) has passed")
            }
            return decide(
                rate: 0, why: "no data for \(silent.shortText) (counted as rate 0 rps)", at: now)
        }
    }

    /// A hold while the first rates after Prometheus failed still cover part of the failure
    /// (the query's longest range, counted from the first rate); nil once that has passed.
    private mutating func holdWhileRecovering(at now: Instant) -> BurstDecision? {
        guard let since = recoveredAt else { return nil }
        let held = since.duration(to: now)
        guard held >= configuration.recoveryHold else {
            return .hold(
                reason: "Prometheus answers again after failing; its rate covers only part of the query's "
                    + "\(configuration.recoveryHold.shortText) range for \((configuration.recoveryHold - held).shortText) more, "
                    + "holding the route")
        }
        recoveredAt = nil
        return nil
    }

    private func decide(rate: Double, why: String, at now: Instant) -> BurstDecision {
        switch configuration.mode {
        case .all(let high, let low):
            if rate > high {
                return propose(100, why: "\(why) above BURST_HIGH_RPS \(Self.format(high))", at: now)
            }
            if rate < low || rate == 0 {
                let comparison = rate < low ? "below BURST_LOW_RPS \(Self.format(low))" : "means no traffic"
                return propose(0, why: "\(why) \(comparison)", at: now)
            }
            return .hold(
                reason: "\(why) within the band \(Self.format(low))...\(Self.format(high)), "
                    + "keeping burst weight \(currentWeight.map(String.init) ?? "unknown")")
        case .overflow(let capacity, let step):
            let target = Self.overflowWeight(rate: rate, capacity: capacity)
            let explained = "\(why) against PRIMARY_CAPACITY_RPS \(Self.format(capacity)) wants burst weight \(target)"
            if let current = currentWeight, target != current, target != 0, target != 100,
                abs(target - current) < step
            {
                return .hold(reason: "\(explained), within WEIGHT_STEP \(step) of \(current)")
            }
            return propose(target, why: explained, at: now)
        }
    }

    private func propose(_ target: Int, why: String, at now: Instant) -> BurstDecision {
        guard let current = currentWeight, let since = weightSince else {
            return .hold(reason: "\(why), but the route's current weight is not known yet")
        }
        guard target != current else {
            return .hold(reason: "\(why); burst weight is already \(current)")
        }
        let age = since.duration(to: now)
        guard age >= configuration.minimumDwell else {
            let left = configuration.minimumDwell - age
            return .hold(
                reason: "\(why), but MIN_DWELL keeps burst weight \(current) for \(left.shortText) more"
            )
        }
        return .change(burstWeight: target, reason: "\(why): burst weight \(current) -> \(target)")
    }

    /// round(100 × (1 − capacity / rate)) in 0...100; 0 at or below capacity.
    static func overflowWeight(rate: Double, capacity: Double) -> Int {
        guard rate > capacity, rate > 0 else { return 0 }
        let share = (100 * (1 - capacity / rate)).rounded()
        return Int(min(max(share, 0), 100))
    }

    /// A rate for a log line: at most two decimals, no trailing zeros.
    static func format(_ rate: Double) -> String {
        guard rate.isFinite, abs(rate) < 1e12 else { return "\(rate)" }
        let rounded = (rate * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return "\(rounded)"
    }
}

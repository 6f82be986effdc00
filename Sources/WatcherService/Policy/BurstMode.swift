/// How the burst weight follows the observed rate.
public enum BurstMode: Sendable, Equatable {
    /// The original's switch: all traffic to burst above `high` requests/s, all back to primary
    /// below `low`; between the two (the band) nothing changes, so a rate hovering near one
    /// threshold cannot flap the route. Zero traffic always returns to primary, even with `low` 0.
    case all(high: Double, low: Double)

    /// Primary keeps `capacity` requests/s and burst takes only the excess:
    /// burst weight = round(100 × (1 − capacity / rate)), clamped to 0...100, and 0 when the rate is
    /// at or below capacity. The weight changes only when the new one differs by at least `step`
    /// points, except that 0 and 100 are always reached, so a falling rate really does return all
    /// traffic to primary. Going from 0 therefore needs rate ≥ capacity / (1 − step/100), while
    /// returning to 0 needs rate ≤ capacity: that gap is the mode's hysteresis.
    case overflow(capacity: Double, step: Int)

    /// The mode's name as written in `BURST_MODE`.
    public var name: String {
        switch self {
        case .all: "all"
        case .overflow: "overflow"
        }
    }
}

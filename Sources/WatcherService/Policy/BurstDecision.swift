/// What the policy wants done after one observation, with the reason to log.
public enum BurstDecision: Sendable, Equatable {
    /// Leave the route as it is.
    case hold(reason: String)
    /// Move the burst weight (0...100; primary gets the rest) to `burstWeight`.
    case change(burstWeight: Int, reason: String)

    /// The log line's explanation.
    public var reason: String {
        switch self {
        case .hold(let reason), .change(_, let reason): reason
        }
    }

    /// The desired burst weight, or nil for "hold".
    public var burstWeight: Int? {
        if case .change(let weight, _) = self { return weight }
        return nil
    }
}

/// The weights of the primary and burst destinations of one route.
public struct SubsetWeights: Sendable, Equatable {
    public var primary: Int
    public var burst: Int

    /// Weights as written in the route.
    public init(primary: Int, burst: Int) {
        self.primary = primary
        self.burst = burst
    }

    /// The weights that send `burstWeight` percent to burst and the rest to primary.
    public init(burstWeight: Int) {
        self.init(primary: 100 - burstWeight, burst: burstWeight)
    }

    /// Burst's share of traffic in percent, rounded. Weights that do not add up to 100 (written by
    /// hand, or HAProxy's 0...256) are read as the share they give; both zero reads as 0.
    public var burstShare: Int {
        let total = primary + burst
        guard total > 0 else { return 0 }
        return Int((100 * Double(burst) / Double(total)).rounded())
    }
}

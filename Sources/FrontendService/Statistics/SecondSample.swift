/// What happened in one whole second, for the page's chart.
public struct SecondSample: Codable, Sendable, Equatable {
    /// Requests sent.
    public var sent: Int
    /// Requests dropped.
    public var dropped: Int
    /// Results received from primary workers (no `bursty-` prefix).
    public var primary: Int
    /// Results received from burst workers (`bursty-` prefix).
    public var burst: Int

    public init(sent: Int, dropped: Int, primary: Int, burst: Int) {
        self.sent = sent
        self.dropped = dropped
        self.primary = primary
        self.burst = burst
    }
}

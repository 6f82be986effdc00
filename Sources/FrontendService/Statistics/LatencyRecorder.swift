import Histogram

/// Latency histograms: one since start, and one of the last few seconds for the live panel.
///
/// The recent view rotates two HDR histograms on fixed intervals of absolute time: the running one and
/// the one before it. Their sum covers between one and two intervals, always whole recent data, at the
/// cost of one extra `record` per request instead of a histogram per second.
struct LatencyRecorder: Sendable {
    /// Values are kept in microseconds up to ten minutes (far past any request timeout), to three
    /// significant digits: about 20 K counters per histogram.
    static let highestTrackableMicroseconds: UInt64 = 600_000_000

    /// The length of one rotation interval, in seconds.
    let intervalSeconds: Int64
    // Made by the first `record`: the three are about 500 KB, which a frontend that never generates
    // should not hold.
    private(set) var sinceStart: Histogram<UInt64>?
    private var current: Histogram<UInt64>?
    private var previous: Histogram<UInt64>?
    private var currentInterval: Int64 = .min

    init(intervalSeconds: Int64) {
        precondition(intervalSeconds > 0, "the latency interval must be positive")
        self.intervalSeconds = intervalSeconds
    }

    /// Records one latency, given in nanoseconds; negative values count as 0, huge ones as the maximum.
    mutating func record(nanoseconds: Int64, now: Int64) {
        rotate(to: interval(of: now))
        let microseconds = min(UInt64(max(0, nanoseconds)) / 1_000, Self.highestTrackableMicroseconds)
        if sinceStart == nil {
            sinceStart = Self.makeHistogram()
            current = Self.makeHistogram()
            previous = Self.makeHistogram()
        }
        current?.record(microseconds)
        sinceStart?.record(microseconds)
    }

    /// The latencies of the current and the previous interval, as seen at `now` (nil: none).
    func recent(now: Int64) -> Histogram<UInt64>? {
        let nowInterval = interval(of: now)
        if nowInterval == currentInterval {
            guard var merged = previous, let current else { return nil }
            merged.add(current)
            return merged
        }
        // Nothing recorded since `now`'s interval began: only the last written one may still count.
        return nowInterval == currentInterval + 1 ? current : nil
    }

    /// Percentiles in milliseconds.
    static func summary(of histogram: Histogram<UInt64>?) -> LatencySummary {
        guard let histogram, histogram.totalCount > 0 else { return .empty }
        func milliseconds(_ microseconds: UInt64) -> Double { Double(microseconds) / 1_000 }
        return LatencySummary(
            count: Int(histogram.totalCount),
            p50: milliseconds(histogram.valueAtPercentile(50)),
            p90: milliseconds(histogram.valueAtPercentile(90)),
            p99: milliseconds(histogram.valueAtPercentile(99)),
            p999: milliseconds(histogram.valueAtPercentile(99.9)),
            max: milliseconds(histogram.max),
            mean: histogram.mean / 1_000)
    }

    private mutating func rotate(to interval: Int64) {
        guard interval != currentInterval else { return }
        if interval == currentInterval + 1 {
            swap(&previous, &current)
            current?.reset()
        } else {
            previous?.reset()
            current?.reset()
        }
        currentInterval = interval
    }

    private func interval(of nanoseconds: Int64) -> Int64 {
        let second = SecondBuckets.second(of: nanoseconds)
        let (quotient, remainder) = second.quotientAndRemainder(dividingBy: intervalSeconds)
        return remainder < 0 ? quotient - 1 : quotient
    }

    private static func makeHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableMicroseconds)
    }
}

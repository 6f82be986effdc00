/// Counts per whole second over a sliding window of the most recent seconds, in a fixed ring.
///
/// Seconds are absolute indexes (`nanoseconds / 10^9` of the monotonic clock), so a reader can ask for
/// any second without the ring having been touched recently: a slot older than the window, or newer
/// than the last write, reads as zero. Memory and the cost of each operation stay constant at any rate.
struct SecondBuckets: Sendable, Equatable {
    private var counts: [Int]
    /// The second held by the newest slot; `Int64.min` before the first write.
    private var newestSecond: Int64 = .min

    /// A ring remembering `capacity` seconds, the current one included.
    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        counts = Array(repeating: 0, count: capacity)
    }

    var capacity: Int { counts.count }

    /// Adds `amount` to `second`. Writes to seconds already out of the window are ignored.
    mutating func add(_ amount: Int, atSecond second: Int64) {
        if second > newestSecond {
            // Clear the slots being reused; after a gap longer than the ring, all of them.
            if newestSecond == .min || second - newestSecond >= Int64(capacity) {
                for index in counts.indices { counts[index] = 0 }
            } else {
                var cleared = newestSecond + 1
                while cleared <= second {
                    counts[slot(cleared)] = 0
                    cleared += 1
                }
            }
            newestSecond = second
        } else if second <= newestSecond - Int64(capacity) {
            return
        }
        counts[slot(second)] += amount
    }

    /// The count for `second`; zero outside the window.
    func count(atSecond second: Int64) -> Int {
        guard second <= newestSecond, second > newestSecond - Int64(capacity) else { return 0 }
        return counts[slot(second)]
    }

    /// The total over `seconds`.
    func sum(over seconds: Range<Int64>) -> Int {
        var total = 0
        for second in seconds { total += count(atSecond: second) }
        return total
    }

    private func slot(_ second: Int64) -> Int {
        let remainder = Int(second % Int64(capacity))
        return remainder < 0 ? remainder + capacity : remainder
    }

    /// The whole second containing `nanoseconds`, rounding down also before the clock's origin.
    static func second(of nanoseconds: Int64) -> Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

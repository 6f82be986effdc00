import HashrCore

/// Decides, from an injected clock, which generated requests are due and which must be dropped.
///
/// The generator is open loop: with target rate `r` set at time `t0`, request `i` is due at exactly
/// `t0 + i / r`, whatever the worker does. Due times are computed from `i` each time rather than by
/// adding a period, so rounding never accumulates: the millionth request is due within a nanosecond of
/// where arithmetic says it should be.
///
/// The scheduler owns no timer. The driver calls ``tick(now:inFlight:maxInFlight:)`` from one repeating
/// timer (every millisecond, say) and gets back the batch that fell due since the previous tick, so
/// 10,000 requests per second cost 1,000 timer callbacks, not 10,000 timers.
///
/// ## Late tolerance
/// A request is *late* when the scheduler first sees it more than ``Configuration/lateTolerance`` after
/// its due time: `now - due > lateTolerance`. Late requests are dropped and counted, never sent, so a
/// stalled loop (a long GC-free pause is still possible: a blocked thread, a suspended process, a
/// slow tick) never turns into a burst that would distort the rate the mesh sees. Requests due within
/// the tolerance are sent at once; latency is measured from their due time, so that delay is not
/// hidden. After a stall, one tick therefore sends at most `rate × lateTolerance + 1` requests.
/// The tolerance must exceed the tick interval plus ordinary timer jitter, or on-time requests of a
/// healthy loop would be dropped.
///
/// Times are nanoseconds from any monotonic origin (`uv_hrtime()` fits); only differences matter.
public struct RateScheduler: Sendable {
    /// Tuning for the scheduler.
    public struct Configuration: Sendable, Equatable {
        /// How long after its due time a request may still be sent. Default 10 ms: ten 1 ms ticks of
        /// slack for a busy loop, small enough that a stall never produces a noticeable burst.
        public var lateTolerance: Duration

        public init(lateTolerance: Duration = .milliseconds(10)) {
            precondition(lateTolerance >= .zero, "lateTolerance must not be negative")
            self.lateTolerance = lateTolerance
        }
    }

    /// The target rate in requests per second; 0 means stopped.
    public private(set) var rate: Double = 0

    /// When request 0 of the current schedule is due (`t0`), in nanoseconds.
    public private(set) var origin: Int64 = 0

    /// The index of the next request the scheduler has not yet sent or dropped.
    public private(set) var nextIndex: Int64 = 0

    public let configuration: Configuration
    private let lateToleranceNanoseconds: Int64

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.lateToleranceNanoseconds = configuration.lateTolerance.nanoseconds
    }

    /// Sets the target rate at time `now`; the last call wins.
    ///
    /// A different rate starts a new schedule whose request 0 is due at `now`. Setting the rate that is
    /// already in force changes nothing, so repeating a `PUT` does not shift the schedule's phase.
    /// Requests of the old schedule that fell due since the last tick are discarded without being counted:
    /// call ``tick(now:inFlight:maxInFlight:)`` first to account for them.
    ///
    /// - Precondition: `rate` is finite and not negative (validate input at the edge, with `RateBody`).
    public mutating func setRate(_ rate: Double, now: Int64) {
        precondition(rate.isFinite && rate >= 0, "rate must be finite and not negative")
        let normalized = rate == 0 ? 0 : rate  // folds -0.0 into 0
        guard normalized != self.rate else { return }
        self.rate = normalized
        origin = now
        nextIndex = 0
    }

    /// The due time of request `index` of the current schedule, in nanoseconds; `Int64.max` when the
    /// schedule is stopped or the time is too far away to represent.
    public func dueTime(ofRequest index: Int64) -> Int64 {
        guard rate > 0 else { return .max }
        // One multiplication and one division from the index, rounded once: no accumulated error.
        // A Double holds the offset to the nanosecond for about 100 days of one schedule.
        let offset = (Double(index) * 1e9 / rate).rounded()
        guard offset < 9.0e18 else { return .max }
        let (sum, overflow) = origin.addingReportingOverflow(Int64(offset))
        return overflow ? .max : sum
    }

    /// Advances the schedule to `now` and says what to do.
    ///
    /// Every request due at or before `now` is decided exactly once: sent, dropped as late, or dropped
    /// because `inFlight` already reached `maxInFlight`.
    ///
    /// - Parameters:
    ///   - now: the current time in nanoseconds.
    ///   - inFlight: requests sent and not yet answered.
    ///   - maxInFlight: the cap on requests in flight.
    public mutating func tick(now: Int64, inFlight: Int, maxInFlight: Int) -> Decision {
        guard rate > 0 else { return Decision(sendTimes: [], droppedLate: 0, droppedOverCapacity: 0, nextDue: nil) }

        // Skip late requests in one step: after a long stall there may be millions of them.
        var droppedLate = 0
        let (oldestOnTime, overflow) = now.subtractingReportingOverflow(lateToleranceNanoseconds)
        if !overflow, dueTime(ofRequest: nextIndex) < oldestOnTime {
            let first = firstIndex(dueAtOrAfter: oldestOnTime)
            droppedLate = Int(first - nextIndex)
            nextIndex = first
        }

        // What remains is due within the tolerance: at most rate × lateTolerance + one tick's worth.
        var capacity = max(0, maxInFlight - inFlight)
        var sendTimes: [Int64] = []
        var droppedOverCapacity = 0
        var due = dueTime(ofRequest: nextIndex)
        while due <= now {
            if capacity > 0 {
                sendTimes.append(due)
                capacity -= 1
            } else {
                droppedOverCapacity += 1
            }
            nextIndex += 1
            due = dueTime(ofRequest: nextIndex)
        }
        return Decision(
            sendTimes: sendTimes, droppedLate: droppedLate, droppedOverCapacity: droppedOverCapacity,
            nextDue: due == .max ? nil : due)
    }

    /// The smallest index whose due time is at or after `time`.
    private func firstIndex(dueAtOrAfter time: Int64) -> Int64 {
        // Estimate from the inverse formula, then correct for rounding in `dueTime(ofRequest:)`.
        let estimate = (Double(time - origin) * rate / 1e9).rounded(.up)
        var index = estimate < 9.0e18 ? max(nextIndex, Int64(estimate)) : Int64.max / 2
        while index > nextIndex, dueTime(ofRequest: index - 1) >= time { index -= 1 }
        while dueTime(ofRequest: index) < time { index += 1 }
        return index
    }
}

extension RateScheduler {
    /// What the driver must do after one tick.
    public struct Decision: Sendable, Equatable {
        /// The intended send times (nanoseconds) of the requests to send now, oldest first.
        /// Latency is measured from these, not from the moment the request leaves.
        public var sendTimes: [Int64]

        /// Requests dropped because their due time was more than the late tolerance ago.
        public var droppedLate: Int

        /// Requests dropped because the in-flight cap was reached when they fell due.
        public var droppedOverCapacity: Int

        /// When the next request is due (nanoseconds), or nil when the generator is stopped. A driver with
        /// a one-shot timer sleeps until then; one with a repeating tick may skip ticks before it.
        public var nextDue: Int64?

        public init(sendTimes: [Int64], droppedLate: Int, droppedOverCapacity: Int, nextDue: Int64?) {
            self.sendTimes = sendTimes
            self.droppedLate = droppedLate
            self.droppedOverCapacity = droppedOverCapacity
            self.nextDue = nextDue
        }

        /// All requests dropped by this tick.
        public var dropped: Int { droppedLate + droppedOverCapacity }
    }
}

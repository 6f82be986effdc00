extension BurstPolicy {
    /// The policy's settings; `WatcherConfiguration` reads and validates them from the environment.
    public struct Configuration: Sendable, Equatable {
        /// The decision rule (`BURST_MODE` and its thresholds).
        public var mode: BurstMode
        /// `MIN_DWELL`: after the route changed, keep it at least this long before changing it again,
        /// whatever the rate does. Zero (the default) disables it.
        public var minimumDwell: Duration
        /// `NO_DATA_GRACE`: consecutive "no data" answers hold the route this long; after that they
        /// count as zero traffic (a silent service really has no traffic). Default 30 s, which
        /// outlasts a couple of 15 s scrapes missing after a Prometheus restart.
        public var noDataGrace: Duration
        /// After failed queries, hold the route this long from the first rate answered again: the
        /// query's longest range (`PrometheusQuery.longestRange`). Prometheus that was away (a
        /// restart) has samples for only part of a `rate()` range until then, so the rate reads
        /// low and would send traffic back to primary for nothing. Zero disables it.
        public var recoveryHold: Duration

        public init(
            mode: BurstMode, minimumDwell: Duration = .zero, noDataGrace: Duration = .seconds(30),
            recoveryHold: Duration = .zero
        ) {
            self.mode = mode
            self.minimumDwell = minimumDwell
            self.noDataGrace = noDataGrace
            self.recoveryHold = recoveryHold
        }
    }
}

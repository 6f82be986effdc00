/// What istiowatcher exposes on `/metrics`, kept by `WatcherController`.
public struct WatcherStatistics: Sendable, Equatable {
    /// The last rate Prometheus reported (requests/s); nil before the first value.
    public var observedRate: Double?
    /// The burst weight as last read from the router (simulated under DRY_RUN); nil until known.
    public var burstWeight: Int?
    /// Changes that raised the burst weight, and those that lowered it.
    public var transitionsToBurst = 0
    public var transitionsToPrimary = 0
    /// Query outcomes by kind (`value`, `no_data`, `nan`, `error`).
    public var queryOutcomes: [Observation.Kind: Int] = [:]
    /// Failed router reads and changes.
    public var routerErrors = 0
    /// Failures in a row, reset by the next success: queries that errored, router calls that failed.
    public var consecutiveQueryFailures = 0
    public var consecutiveRouterFailures = 0

    public init() {}
}

/// Something `WatcherController` asks its driver to do.
public enum WatcherAction: Sendable, Equatable {
    /// Run the Prometheus query (GET `query.url` with `queryTimeout`), then call `queryFinished`.
    case query
    /// Call `WeightRouter.readBurstWeight()` off the loop, then `routerRead`.
    case readRouter
    /// Call `WeightRouter.apply(burstWeight:reason:)` off the loop, then `changeFinished`.
    case applyRouter(burstWeight: Int, reason: String)
    /// Write one log line.
    case log(Level, String)

    /// Log levels: per-tick detail is `debug`; decisions `info`; trouble `warning` or `error`.
    public enum Level: String, Sendable {
        case debug, info, warning, error
    }
}

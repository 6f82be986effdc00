extension WatcherConfiguration {
    /// Whether this watcher speaks TLS: to an `https://` Prometheus, or to the Kubernetes API (always
    /// https). Then OpenSSL is opened at start rather than on first use, so a missing libssl stops
    /// the start with one clear line instead of failing every query.
    public var needsTLS: Bool {
        // The same reading of the URL the Prometheus observer connects by.
        if HTTPTarget(url: query.url)?.endpoint.usesTLS == true { return true }
        switch router {
        case .kubernetes, .gatewayAPI: return true
        case .haproxy, .command: return false
        }
    }
}

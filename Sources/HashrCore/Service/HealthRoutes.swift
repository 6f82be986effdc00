extension HTTPRouter {
    /// `GET /` liveness (always `ok`), `GET /_healthz` readiness (200 `ok` when `isReady`, else 503
    /// with the reason), and `GET /metrics`.
    /// A service whose `/` is something else (the frontend's page) passes `liveness: false`.
    public mutating func addHealthAndMetrics(
        metrics: ServiceMetrics, liveness: Bool = true, readiness: @escaping () -> (ready: Bool, reason: String)
    ) {
        if liveness { get("/") { _, responder in responder.respond(.text("ok")) } }
        get("/_healthz") { _, responder in
            let state = readiness()
            responder.respond(state.ready ? .text("ok") : .text("not ready: \(state.reason)", status: 503))
        }
        get("/metrics") { _, responder in responder.respond(metrics.response()) }
    }
}

extension FrontendConfiguration {
    /// `token` when `PUT /api/rate` needs the key, `open` when it does not (for `GET /api/stats` and the
    /// start-up line).
    var rateControl: String { rateControlToken == nil ? "open" : "token" }
}

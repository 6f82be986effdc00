import HashrCore

/// The frontend's HTTP API and page: which route does what, and the checks in front of a rate change.
/// The work itself is the parts': the generator driver sets the rate, the results hub opens streams.
/// Loop-confined.
final class FrontendRoutes {
    private let configuration: FrontendConfiguration
    private let metrics: ServiceMetrics
    private let instruments: FrontendMetrics
    private let assets: PageAssets
    private let generator: GeneratorDriver
    private let results: ResultsHub
    /// Per-address caps on rate changes (its stream half is the results hub's).
    private var clientLimits: ClientLimits

    init(
        configuration: FrontendConfiguration, metrics: ServiceMetrics, instruments: FrontendMetrics,
        assets: PageAssets, generator: GeneratorDriver, results: ResultsHub
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.instruments = instruments
        self.assets = assets
        self.generator = generator
        self.results = results
        clientLimits = ClientLimits(
            maxStreamsPerAddress: configuration.sseMaxClientsPerAddress,
            rateChangesPerMinute: configuration.rateChangesPerMinute)
    }

    /// The `GET /api/stats` view now, with whether results can arrive at all.
    var snapshot: StatsSnapshot {
        var snapshot = generator.snapshot(now: FrontendService.now())
        snapshot.redisConnected = results.isSubscribed
        snapshot.rateControl = configuration.rateControl
        return snapshot
    }

    /// The router; its handlers hold this object, so the server keeps it alive.
    func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        // `/` is the page, so no plain liveness route there; readiness means results can arrive.
        router.addHealthAndMetrics(metrics: metrics, liveness: false) { [self] in
            results.isSubscribed
                ? (true, "") : (false, "not subscribed to \(FrontendService.channel) on \(configuration.redis)")
        }
        for path in assets.paths {
            router.get(path) { [self] request, responder in servePage(request, responder) }
        }
        router.get("/api/rate") { [self] _, responder in
            responder.respond(.json(RateBody(rps: generator.rate).json))
        }
        router.put("/api/rate") { [self] request, responder in putRate(request, responder) }
        router.get("/api/stats") { [self] _, responder in
            responder.respond(.json(snapshot.json))
        }
        router.get("/api/results") { [results] request, responder in results.openStream(request, responder) }
        return router
    }

    /// `PUT /api/rate`: the key first (a refused key costs an address none of its rate changes, so
    /// a stranger behind the same proxy cannot use up the key holder's), then the address's cap.
    private func putRate(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard !generator.isStopped else { return responder.respond(.error(503, "shutting down")) }
        let authorization = RateControlAuthorization(headers: request.headers, token: configuration.rateControlToken)
        if let refusal = authorization.refusal {
            instruments.rateChangesUnauthorized.increment()
            return responder.respond(refusal)
        }
        if let wait = clientLimits.rateChange(from: request.client, now: FrontendService.now()) {
            instruments.rateChangesLimited.increment()
            return responder.respond(
                .error(
                    429, "at most \(clientLimits.rateChangesPerMinute) rate changes a minute from one address",
                    retryAfter: wait))
        }
        do {
            let rate = try generator.setRate(fromBody: request.body)
            responder.respond(.json(RateBody(rps: rate).json))
        } catch {
            responder.respond(error.response)
        }
    }

    /// The page's files, with a validator: a browser that has the current version gets 304 and no body.
    private func servePage(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard let asset = assets.asset(forPath: String(request.path)) else {
            return responder.respond(.error(404, "no such file"))
        }
        var headers = HTTPHeaders(PageAssets.responseHeaders.map { ($0.name, $0.value) })
        headers.add("ETag", asset.etag)
        if Self.matches(request.headers["If-None-Match"], etag: asset.etag) {
            return responder.respond(HTTPResponse(status: 304, headers: headers))
        }
        headers.add("Content-Type", asset.contentType)
        responder.respond(HTTPResponse(status: 200, headers: headers, body: asset.body))
    }

    /// `If-None-Match` holds `*` or a list of entity tags, weak ones (`W/"..."`) included.
    static func matches(_ ifNoneMatch: String?, etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        return ifNoneMatch.split(separator: ",").contains { candidate in
            var tag = candidate.drop { $0 == " " || $0 == "\t" }
            while tag.last == " " || tag.last == "\t" { tag = tag.dropLast() }
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            return tag == etag
        }
    }
}

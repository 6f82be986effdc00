import HashrCore

extension FrontendService {
    /// Every generated request carries this.
    static let requestHeaders = HTTPHeaders([("Content-Type", "application/json")])

    /// Sends what fell due, then sleeps until the next request is due.
    func tick() {
        guard !isShuttingDown else { return }
        let now = Self.now()
        sendDue(now: now)
        scheduleTick(now: now)
    }

    /// Advances the schedule to `now`: sends every request due (and still on time) and counts drops.
    func sendDue(now: Int64) {
        let planned = generator.tick(now: now)
        instruments.mirrorDrops(generator.statistics.droppedByReason)
        guard !planned.isEmpty else { return }
        instruments.sent.increment(by: planned.count)
        for request in planned { send(request) }
        instruments.inFlight.record(generator.statistics.inFlight)
    }

    /// Arms the one timer for the next due request. Due times are absolute (`t0 + i/rate`), so timer
    /// jitter never accumulates into the rate; at high rates this is a tick every `TICK_INTERVAL`
    /// sending a batch, at low rates one wake-up per request instead of a thousand idle ticks a second.
    func scheduleTick(now: Int64) {
        guard !isShuttingDown, let due = generator.nextDue else { return tickTimer.stop() }
        let wait = Duration.nanoseconds(max(0, due - now))
        tickTimer.start(after: max(configuration.tickInterval, wait))
    }

    private func send(_ planned: PlannedRequest) {
        let request = HTTPClientRequest(
            method: "POST", endpoint: configuration.processor, path: "/", headers: Self.requestHeaders,
            body: planned.body, timeout: configuration.requestTimeout)
        let intendedSendTime = planned.intendedSendTime
        client.execute(request) { [unowned self] result in completed(result, intendedSendTime: intendedSendTime) }
    }

    /// Exactly one call per request sent, so the in-flight count (sent minus answered) stays exact.
    private func completed(_ result: Result<HTTPClientResponse, HTTPClientError>, intendedSendTime: Int64) {
        let now = Self.now()
        switch result {
        case .success(let response):
            if let reason = FailureReason(status: response.status) {
                generator.recordFailure(reason, now: now)
                instruments.recordFailure(reason)
                logFailure(now: now, reason: reason, "the processor answered \(response.status)")
            } else {
                generator.recordResponse(status: response.status, intendedSendTime: intendedSendTime, now: now)
                instruments.succeeded.increment()
                instruments.latency.recordNanoseconds(now - intendedSendTime)
            }
        case .failure(let error):
            let reason = FailureReason(clientErrorKind: error.kind)
            generator.recordFailure(reason, now: now)
            instruments.recordFailure(reason)
            logFailure(now: now, reason: reason, error.description)
        }
        let inFlight = generator.statistics.inFlight
        instruments.inFlight.record(inFlight)
        if inFlight == 0, let drained = inFlightDrained {
            inFlightDrained = nil
            drained()
        }
    }

    /// Logs at most one failure a second: a worker that is down fails every request.
    private func logFailure(now: Int64, reason: FailureReason, _ detail: String) {
        if let last = lastFailureLog, now - last < 1_000_000_000 { return }
        lastFailureLog = now
        let failed = generator.statistics.failed
        logger.warning(
            "request to \(configuration.processor) failed (\(reason.rawValue)): \(detail); \(failed) failed so far")
    }

    /// `PUT /api/rate`: validates the body and sets the one global rate; the last writer wins.
    func setRate(fromBody body: [UInt8]) throws(RateBodyError) -> Double {
        let now = Self.now()
        let previous = generator.rate
        // Account for what the old schedule made due since the last tick before it is replaced.
        sendDue(now: now)
        let rate = try generator.setRate(fromBody: body, now: now)
        instruments.targetRate.record(rate)
        if rate != previous {
            logger.info("target rate \(RateBody.formatted(previous))/s -> \(RateBody.formatted(rate))/s")
        }
        // A new schedule's request 0 is due now: send it without waiting for a tick.
        sendDue(now: now)
        scheduleTick(now: now)
        return rate
    }

    /// Runs `action` once no request is in flight, or after the grace period, whichever is first;
    /// then closing the client fails whatever is left.
    func whenInFlightDrained(_ action: @escaping () -> Void) {
        guard generator.statistics.inFlight > 0 else { return action() }
        inFlightDrained = action
        let timer = LoopTimer(loop: loop) {}
        timer.setAction { [unowned self] in
            guard let drained = inFlightDrained else { return }
            inFlightDrained = nil
            logger.warning("grace period over: \(generator.statistics.inFlight) request(s) still in flight")
            drained()
        }
        timer.start(after: configuration.shutdownGrace)
        drainTimer = timer
    }
}

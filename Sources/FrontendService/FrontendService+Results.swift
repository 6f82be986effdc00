import HashrCore

extension FrontendService {
    /// The head of every results stream.
    static let resultStreamHeaders = HTTPHeaders(ServerSentEvents.responseHeaders.map { ($0.name, $0.value) })

    /// Seconds a refused results client is told to wait: the page's own backoff starts near this.
    static let resultStreamRetryAfter = 5

    /// One message on channel `calculation`: counted, and framed once for every open stream.
    func received(_ message: RedisSubscriber.Message) {
        let isBurst = message.payload.starts(with: GeneratorStatistics.burstPrefix.utf8)
        generator.recordResult(message.payload, now: Self.now())
        instruments.resultsReceived.increment()
        if isBurst { instruments.burstResultsReceived.increment() }
        streams.publish(message.payload)
    }

    /// `GET /api/results`: a Server-Sent Events stream of every result from now on.
    func openResultStream(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard !isShuttingDown else { return responder.respond(.error(503, "shutting down")) }
        // HEAD is served by this GET route: answer the head alone instead of an endless stream.
        guard request.method != "HEAD" else {
            return responder.respond(HTTPResponse(status: 200, headers: Self.resultStreamHeaders))
        }
        let address = request.client
        guard clientLimits.openStream(from: address) else {
            instruments.resultStreamsRefused.increment()
            return responder.respond(
                .error(
                    429, "too many result streams open from one address (\(clientLimits.maxStreamsPerAddress))",
                    retryAfter: Self.resultStreamRetryAfter))
        }
        let id = nextStreamID
        nextStreamID += 1
        guard let opening = streams.open(id) else {
            clientLimits.closeStream(from: address)
            instruments.resultStreamsRefused.increment()
            return responder.respond(
                .error(
                    503, "too many result streams open (\(configuration.sseMaxClients)); try again later",
                    retryAfter: Self.resultStreamRetryAfter))
        }
        guard let stream = responder.startStream(status: 200, headers: Self.resultStreamHeaders) else {
            streams.close(id)
            clientLimits.closeStream(from: address)
            return
        }
        streamAddresses[id] = address
        stream.limitKernelSendBuffer(to: Self.resultStreamKernelBuffer)
        openStreams[id] = stream
        stream.onClose = { [unowned self] in resultStreamClosed(id) }
        if openStreams.count == 1 {
            flushTimer.start(after: Self.flushInterval, repeating: Self.flushInterval)
        }
        instruments.resultStreams.record(openStreams.count)
        stream.write(opening)
    }

    private func resultStreamClosed(_ id: Int) {
        streams.close(id)
        if let address = streamAddresses.removeValue(forKey: id) { clientLimits.closeStream(from: address) }
        guard openStreams.removeValue(forKey: id) != nil else { return }
        instruments.resultStreams.record(openStreams.count)
        // Nobody to write to: no need to wake up a hundred times a second.
        if openStreams.isEmpty { flushTimer.stop() }
    }

    /// Writes the results batched since the last flush to every stream, one write each, and cuts off
    /// the streams too far behind. With `keepAlive`, a comment goes out too, so idle streams carry a
    /// few bytes now and then and proxies do not time them out.
    func flushResults(keepAlive: Bool = false) {
        // What each socket took since the last flush frees that client's budget. The socket's queue
        // also holds chunk framing `streams` never saw, so this errs towards a fuller buffer.
        for (id, stream) in openStreams {
            let tracked = streams.queuedBytes(of: id) ?? 0
            let queued = stream.queuedBytes
            if tracked > queued { streams.written(tracked - queued, to: id) }
        }
        let flush = keepAlive ? streams.flushWithKeepAlive() : streams.flush()
        for id in flush.disconnect {
            guard let stream = openStreams[id] else { continue }
            instruments.resultStreamsCutOff.increment()
            logger.warning(
                "cutting off a results stream that stopped reading: more than \(streams.clientBufferLimit) bytes waiting"
            )
            stream.abort()
        }
        guard !flush.bytes.isEmpty else { return }
        for id in flush.writeTo {
            openStreams[id]?.write(flush.bytes)
        }
    }
}

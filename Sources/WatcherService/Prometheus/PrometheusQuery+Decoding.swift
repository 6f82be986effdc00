import FoundationEssentials

extension PrometheusQuery {
    /// The outcome when the request never got an answer (refused, reset, timed out).
    public func connectionFailed(_ reason: String) -> Observation {
        .error("cannot query Prometheus at \(serverURL): \(reason)")
    }

    /// Turns Prometheus' answer into one of the four outcomes.
    ///
    /// Accepts a `vector` with zero or one series, or a `scalar`. Everything else is an error whose
    /// message tells an operator what to fix.
    public func decode(status: Int, body: [UInt8]) -> Observation {
        let parsed: PrometheusAnswer
        do {
            parsed = try JSONDecoder().decode(PrometheusAnswer.self, from: Data(body))
        } catch {
            guard (200..<300).contains(status) else {
                return .error("Prometheus answered HTTP \(status): \(Self.snippet(body))")
            }
            return .error("Prometheus sent a malformed answer (\(error)): \(Self.snippet(body))")
        }
        guard (200..<300).contains(status) else {
            // Prometheus explains 4xx/5xx answers in an error body; show that when there is one.
            return .error("Prometheus answered HTTP \(status): \(Self.errorExplanation(parsed) ?? Self.snippet(body))")
        }
        guard let answerStatus = parsed.status else {
            return .error("Prometheus' answer has no \"status\": \(Self.snippet(body))")
        }
        guard answerStatus == "success" else {
            return .error("Prometheus reported an error: \(Self.errorExplanation(parsed) ?? "status \(answerStatus)")")
        }
        guard let resultType = parsed.data?.resultType, let result = parsed.data?.result else {
            return .error("Prometheus' answer has no data.resultType or data.result: \(Self.snippet(body))")
        }
        switch (resultType, result) {
        case ("vector", .series(let series)):
            return decodeVector(series)
        case ("vector", .sample):
            return .error("Prometheus' data.result is a sample, expected an array of series")
        case ("vector", .other):
            return .error("Prometheus' data.result is not a list of series, expected an array")
        case ("scalar", .sample(let sample)):
            return Self.decodeSample(sample)
        case ("scalar", _):
            return .error("a sample is not [time, \"value\"]: \(Self.snippet(body))")
        default:
            return .error(
                "the query returned a \(resultType), not an instant vector; PROMETHEUS_QUERY must give one value "
                    + "(e.g. sum(rate(...[1m])))")
        }
    }

    private func decodeVector(_ series: [PrometheusAnswer.Series]) -> Observation {
        switch series.count {
        case 0:
            return .noData
        case 1:
            guard let sample = series[0].value else { return .error("the series has no \"value\"") }
            return Self.decodeSample(sample)
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let labels = series.prefix(3).map { series in
                (try? encoder.encode(series.metric ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            }.joined(separator: ", ")
            return .error(
                "the query returned \(series.count) series (\(labels)\(series.count > 3 ? ", ..." : "")); "
                    + "aggregate them into one with sum(...) in PROMETHEUS_QUERY")
        }
    }

    /// A sample is `[<unix time>, "<value>"]`; Prometheus writes the value as a string so that
    /// `NaN` and `+Inf` survive JSON.
    private static func decodeSample(_ sample: PrometheusAnswer.Sample) -> Observation {
        guard case .valid(_, let text) = sample else {
            guard case .invalid(let problem) = sample else { return .error("a sample is not [time, \"value\"]") }
            return .error("a sample is not [time, \"value\"]: \(problem)")
        }
        switch text {
        case "NaN", "+Inf", "-Inf", "Inf":
            return .notANumber(text)
        default:
            guard let value = Double(text), value.isFinite else {
                return .error("the sample value \"\(text.prefix(50))\" is not a number")
            }
            return .value(value)
        }
    }

    /// `errorType: error` from a Prometheus error body, when it has one.
    private static func errorExplanation(_ answer: PrometheusAnswer) -> String? {
        guard let message = answer.error else { return nil }
        if let type = answer.errorType { return "\(type): \(message)" }
        return message
    }

    /// The start of a body for a log line: printable, one line, bounded.
    static func snippet(_ body: [UInt8]) -> String {
        if body.isEmpty { return "(empty body)" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) })
        return body.count > 200 ? cleaned + "..." : cleaned
    }
}

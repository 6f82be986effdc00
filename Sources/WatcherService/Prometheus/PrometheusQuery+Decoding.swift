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
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(body)
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
        guard let answerStatus = parsed["status"]?.stringValue else {
            return .error("Prometheus' answer has no \"status\": \(Self.snippet(body))")
        }
        guard answerStatus == "success" else {
            return .error("Prometheus reported an error: \(Self.errorExplanation(parsed) ?? "status \(answerStatus)")")
        }
        guard let data = parsed["data"], let resultType = data["resultType"]?.stringValue, let result = data["result"]
        else {
            return .error("Prometheus' answer has no data.resultType or data.result: \(Self.snippet(body))")
        }
        switch resultType {
        case "vector":
            return decodeVector(result)
        case "scalar":
            return Self.decodeSample(result)
        default:
            return .error(
                "the query returned a \(resultType), not an instant vector; PROMETHEUS_QUERY must give one value "
                    + "(e.g. sum(rate(...[1m])))")
        }
    }

    private func decodeVector(_ result: JSONValue) -> Observation {
        guard let series = result.arrayValue else {
            return .error("Prometheus' data.result is \(result.kindName), expected an array")
        }
        switch series.count {
        case 0:
            return .noData
        case 1:
            guard let sample = series[0]["value"] else { return .error("the series has no \"value\"") }
            return Self.decodeSample(sample)
        default:
            let labels = series.prefix(3).map { $0["metric"]?.serialized ?? "{}" }.joined(separator: ", ")
            return .error(
                "the query returned \(series.count) series (\(labels)\(series.count > 3 ? ", ..." : "")); "
                    + "aggregate them into one with sum(...) in PROMETHEUS_QUERY")
        }
    }

    /// A sample is `[<unix time>, "<value>"]`; Prometheus writes the value as a string so that
    /// `NaN` and `+Inf` survive JSON.
    private static func decodeSample(_ sample: JSONValue) -> Observation {
        guard let pair = sample.arrayValue, pair.count == 2, pair[0].doubleValue != nil,
            let text = pair[1].stringValue
        else {
            return .error("a sample is not [time, \"value\"]: \(sample.serialized.prefix(200))")
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
    private static func errorExplanation(_ document: JSONValue) -> String? {
        guard let message = document["error"]?.stringValue else { return nil }
        if let type = document["errorType"]?.stringValue { return "\(type): \(message)" }
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

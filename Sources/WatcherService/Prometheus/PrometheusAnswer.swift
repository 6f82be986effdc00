/// Prometheus' answer to `/api/v1/query`, decoded with `JSONDecoder`: only what the watcher reads.
struct PrometheusAnswer: Decodable {
    var status: String?
    var errorType: String?
    var error: String?
    var data: Payload?

    struct Payload: Decodable {
        var resultType: String?
        var result: Result?
    }

    /// `data.result`: a list of series for a vector, one sample for a scalar, or something else
    /// (named for the error message). Which one is told by `resultType`; decoding only keeps both readings.
    enum Result: Decodable {
        case series([Series])
        case sample(Sample)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let series = try? container.decode([Series].self) {
                self = .series(series)
            } else if let sample = try? container.decode(Sample.self) {
                self = .sample(sample)
            } else {
                self = .other
            }
        }
    }

    /// One series of a vector: its labels and its sample.
    struct Series: Decodable {
        var metric: [String: String]?
        var value: Sample?
    }

    /// `[<unix time>, "<value>"]`, or a description of what was there instead.
    enum Sample: Decodable {
        case valid(time: Double, value: String)
        case invalid(String)

        init(from decoder: any Decoder) throws {
            var elements = try decoder.unkeyedContainer()
            guard elements.count == 2, let time = try? elements.decode(Double.self) else {
                self = .invalid("\(elements.count ?? 0) elements, not a time and a value")
                return
            }
            guard let value = try? elements.decode(String.self) else {
                self = .invalid("the value is not a string")
                return
            }
            self = .valid(time: time, value: value)
        }
    }
}

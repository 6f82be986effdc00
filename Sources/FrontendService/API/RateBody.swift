import FoundationEssentials

/// The body of `PUT /api/rate` and `GET /api/rate`: `{"rps": <number>}`.
///
/// Parsing is strict about the type of `rps` (a JSON number, integer or fractional; never a string,
/// boolean or null) and each rejection says exactly what was wrong, because the message goes back to a
/// person in the 400 answer. Other members of the object are ignored, as JSON APIs usually do.
public struct RateBody: Codable, Sendable, Equatable {
    /// The target rate in requests per second.
    public var rps: Double

    public init(rps: Double) {
        self.rps = rps
    }

    /// The default highest accepted rate, in requests per second (`MAX_RATE`).
    public static let defaultMaximum: Double = 20_000

    /// Parses and validates a request body.
    ///
    /// - Parameters:
    ///   - body: the raw request body.
    ///   - maximum: the highest accepted rate (inclusive).
    /// - Returns: the rate, finite and within `0...maximum` (`-0` becomes `0`).
    /// - Throws: `RateBodyError`, whose `message` is meant for the `{"error": ...}` answer.
    public static func parse(_ body: some Collection<UInt8>, maximum: Double = defaultMaximum) throws(RateBodyError)
        -> Double
    {
        let probe: Probe
        do {
            probe = try JSONDecoder().decode(Probe.self, from: Data(body))
        } catch let error as RateBodyError {
            throw error
        } catch {
            // swift-foundation also lands here for a number too large for a Double, such as 1e400.
            throw RateBodyError(#"the body must be a JSON object like {"rps": 20}, with a finite number"#)
        }
        return try validate(probe.rps, maximum: maximum)
    }

    /// Checks a rate from any source (the body, or `INITIAL_RATE`) against the same rules.
    public static func validate(_ rps: Double, maximum: Double = defaultMaximum) throws(RateBodyError) -> Double {
        guard rps.isFinite else { throw RateBodyError("rps must be a finite number") }
        guard rps >= 0 else { throw RateBodyError("rps must not be negative (0 stops the generator)") }
        guard rps <= maximum else {
            throw RateBodyError("rps must be at most \(formatted(maximum)) requests per second")
        }
        return rps == 0 ? 0 : rps
    }

    /// The encoded body of `GET /api/rate`, such as `{"rps":20}` or `{"rps":3.3}`.
    public var json: [UInt8] {
        // Encoding one finite Double cannot fail; the fallback only keeps this total.
        (try? Array(JSONEncoder().encode(self))) ?? Array(#"{"rps":0}"#.utf8)
    }

    /// A rate as a person writes it: `20000`, not `20000.0`.
    static func formatted(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Decodes `rps` whatever its JSON type, so the error can name the type that was sent.
    private struct Probe: Decodable {
        let rps: Double

        enum CodingKeys: String, CodingKey { case rps }

        init(from decoder: any Decoder) throws {
            guard let container = try? decoder.container(keyedBy: CodingKeys.self) else {
                throw RateBodyError(#"the body must be a JSON object like {"rps": 20}"#)
            }
            guard container.contains(.rps) else {
                throw RateBodyError(#"missing "rps": send {"rps": <requests per second>}"#)
            }
            do {
                rps = try container.decode(Double.self, forKey: .rps)
            } catch {
                guard let type = Self.describeType(in: container) else {
                    // Neither a number nor anything else: a JSON number a Double cannot hold, like 1e400.
                    throw RateBodyError("rps must be a finite number")
                }
                throw RateBodyError("rps must be a number, not \(type)")
            }
        }

        private static func describeType(in container: KeyedDecodingContainer<CodingKeys>) -> String? {
            if (try? container.decodeNil(forKey: .rps)) == true { return "null" }
            if let flag = try? container.decode(Bool.self, forKey: .rps) { return "the boolean \(flag)" }
            if (try? container.decode(String.self, forKey: .rps)) != nil { return "a string" }
            if (try? container.decode([JSONIgnored].self, forKey: .rps)) != nil { return "an array" }
            if (try? container.decode([String: JSONIgnored].self, forKey: .rps)) != nil { return "an object" }
            return nil
        }
    }

    /// Accepts any JSON value; used only to recognise an array or object of anything.
    private struct JSONIgnored: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Reads and validates settings from environment variables, in one place per service.
///
/// Every accessor either returns a valid value (the default when the variable is unset or empty) or
/// throws a `ConfigurationError` naming the variable, the value and what was expected.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process environment.
    public static func process() -> EnvironmentReader {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return EnvironmentReader(result)
    }

    /// The raw value, or nil when unset or empty.
    public func raw(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        raw(name) ?? defaultValue
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text.trimmingSpaces()), range.contains(value) else {
            throw ConfigurationError(
                variable: name, value: text, expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int) throws -> Int {
        try int(name, default: defaultValue, in: 1...65535)
    }

    public func double(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Double(text.trimmingSpaces()), value.isFinite, range.contains(value) else {
            throw ConfigurationError(
                variable: name, value: text, expected: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = raw(name) else { return defaultValue }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, value: text, expected: "1 or 0 (true or false)")
        }
    }

    /// A duration written like `250ms`, `1s`, `2m` or `1h`.
    public func duration(_ name: String, default defaultValue: Duration, minimum: Duration = .zero) throws -> Duration {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Self.parseDuration(text), value >= minimum else {
            throw ConfigurationError(
                variable: name, value: text,
                expected: "a duration such as 250ms, 1s or 2m, at least \(minimum.shortText)")
        }
        return value
    }

    /// One of a fixed set of words.
    public func choice(_ name: String, default defaultValue: String, from choices: [String]) throws -> String {
        guard let text = raw(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw ConfigurationError(variable: name, value: text, expected: "one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// Parses `250ms`, `1.5s`, `2m`, `1h` (also `us`); nil when malformed or negative.
    public static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces()
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number.isFinite, number >= 0 else { return nil }
            let nanoseconds = number * seconds * 1e9
            guard nanoseconds < 1e18 else { return nil }
            return .nanoseconds(Int64(nanoseconds.rounded()))
        }
        return nil
    }
}

extension PrometheusQuery {
    /// The longest range selector in the expression (`[1m]` of `rate(x[1m])`, `[5m]` of a subquery
    /// `[5m:30s]`), or nil when it has none. After Prometheus has been away, `rate()` over such a
    /// range has samples for only part of it until that long has passed, and reads low.
    public var longestRange: Duration? {
        var longest: Duration?
        var rest = Substring(expression)
        while let open = rest.firstIndex(of: "[") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "]") else { break }
            let selector = rest[..<close].prefix { $0 != ":" }
            if let range = Self.promQLDuration(selector), range > (longest ?? .zero) { longest = range }
            rest = rest[close...]
        }
        return longest
    }

    /// A PromQL duration: one or more number-unit pairs, largest unit first (`90s`, `1m30s`, `2h`);
    /// nil for anything else.
    static func promQLDuration(_ text: Substring) -> Duration? {
        let units: [(String, Int64)] = [
            ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
            ("y", 31_536_000_000),
        ]
        var milliseconds: Int64 = 0
        var rest = text.drop { $0 == " " }
        while let first = rest.first, first != " " {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m", so the longer unit wins.
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            milliseconds += product
        }
        guard rest.allSatisfy({ $0 == " " }), milliseconds > 0 else { return nil }
        return .milliseconds(milliseconds)
    }
}

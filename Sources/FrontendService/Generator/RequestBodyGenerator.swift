import HashrCore

/// Makes the body of each generated request: `{"str":"<random base36 string>"}`.
///
/// The string has 10 to 12 characters from `0-9a-z`, each length equally likely and every string of
/// that length equally likely. One bounded random draw yields all of a string's digits (36^12 < 2^64),
/// so a body costs two draws and one allocation: cheap enough for 20,000 per second.
public struct RequestBodyGenerator<Source: RandomNumberGenerator> {
    /// The shortest and longest string generated.
    public static var lengths: ClosedRange<Int> { 10...12 }

    private var source: Source

    /// A generator drawing from `source`; inject a seeded generator for repeatable tests.
    public init(source: Source) {
        self.source = source
    }

    /// The next random base36 string.
    public mutating func nextString() -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(Self.lengths.upperBound)
        appendDigits(to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// The next request body, as the bytes to send with `Content-Type: application/json`.
    ///
    /// Base36 digits never need JSON escaping, so the body is assembled directly, without an encoder.
    public mutating func nextBody() -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(10 + Self.lengths.upperBound)
        body.appendUTF8(#"{"str":""#)
        appendDigits(to: &body)
        body.appendUTF8(#""}"#)
        return body
    }

    /// Appends a random length's worth of base36 digits, most significant first.
    private mutating func appendDigits(to bytes: inout [UInt8]) {
        let length = Int.random(in: Self.lengths, using: &source)
        var divisor: UInt64 = 1
        for _ in 1..<length { divisor *= 36 }
        // `divisor * 36` is 36^length, at most 36^12 ≈ 4.7e18: no overflow.
        var value = UInt64.random(in: 0..<(divisor * 36), using: &source)
        while divisor > 0 {
            let digit = UInt8(truncatingIfNeeded: value / divisor)
            value %= divisor
            divisor /= 36
            // "0"..."9" are 48...57, "a"..."z" are 97...122.
            bytes.append(digit < 10 ? 48 + digit : 87 + digit)
        }
    }
}

extension RequestBodyGenerator: Sendable where Source: Sendable {}

extension RequestBodyGenerator where Source == FastRandom {
    /// A generator seeded from the system's random source.
    public init() {
        self.init(source: FastRandom())
    }
}

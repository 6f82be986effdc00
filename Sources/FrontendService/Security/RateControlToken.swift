import FoundationEssentials
import HashrCore

/// The key `PUT /api/rate` needs when one is configured (`RATE_CONTROL_TOKEN`, or the file
/// `RATE_CONTROL_TOKEN_FILE`, a mounted Kubernetes Secret).
///
/// Its bytes never leave this type: `description` is redacted, so no log line, error or string
/// interpolation can print it, and `matches` compares in constant time.
public struct RateControlToken: Sendable, CustomStringConvertible {
    /// Shorter keys are refused at start: 16 bytes is the least a guess-per-request attacker cannot
    /// search, even with no rate limit on wrong keys.
    public static let minimumLength = 16
    /// Longer keys are refused at start (a header that long is a mistake, not a key).
    public static let maximumLength = 4096

    private let bytes: [UInt8]

    /// A token from its text; throws naming `variable` (never the text) when it is not usable.
    init(_ text: some StringProtocol, variable: String) throws(ConfigurationError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else {
            throw ConfigurationError(variable: variable, value: "", expected: "a non-empty key")
        }
        guard bytes.count >= Self.minimumLength, bytes.count <= Self.maximumLength else {
            throw ConfigurationError(
                variable: variable, value: "(hidden, \(bytes.count) bytes)",
                expected:
                    "a key of \(Self.minimumLength) to \(Self.maximumLength) bytes, such as `openssl rand -hex 32`")
        }
        // What a browser can put in a header: visible ASCII, no spaces (RFC 6750's token is tighter still,
        // but refusing a key someone already has is worse than accepting, say, a `%` in it).
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError(
                variable: variable, value: "(hidden, \(bytes.count) bytes)",
                expected: "a key of visible ASCII characters only (no spaces, controls or non-ASCII)")
        }
        self.bytes = bytes
    }

    /// Creates a token for tests and embedding; traps on a key `init(_:variable:)` would refuse.
    public init(_ text: String) {
        do {
            self = try RateControlToken(text, variable: "RATE_CONTROL_TOKEN")
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// Whether `presented` is the key. Runs over the full length of both whatever they hold, with no
    /// early exit, so the time taken tells an attacker nothing about how much of a guess was right.
    public func matches(_ presented: some Collection<UInt8>) -> Bool {
        let presented = Array(presented)
        var difference = UInt(bitPattern: bytes.count ^ presented.count)
        for index in 0..<max(bytes.count, presented.count) {
            let expected = index < bytes.count ? bytes[index] : 0
            let given = index < presented.count ? presented[index] : 0
            difference |= UInt(expected ^ given)
        }
        return difference == 0
    }

    public var description: String { "RateControlToken(hidden)" }

    /// `RATE_CONTROL_TOKEN` or `RATE_CONTROL_TOKEN_FILE`, not both; nil when neither is set. The file is
    /// read once, now, with its trailing line ends removed (`echo key > file` writes one).
    static func fromEnvironment(_ environment: EnvironmentReader) throws(ConfigurationError) -> RateControlToken? {
        let direct = environment.values["RATE_CONTROL_TOKEN"]
        let path = environment.values["RATE_CONTROL_TOKEN_FILE"]
        switch (direct, path) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw ConfigurationError(
                variable: "RATE_CONTROL_TOKEN_FILE", value: path ?? "",
                expected: "RATE_CONTROL_TOKEN_FILE or RATE_CONTROL_TOKEN, not both")
        case (let text?, nil):
            return try RateControlToken(text, variable: "RATE_CONTROL_TOKEN")
        case (nil, let path?):
            guard !path.isEmpty else {
                throw ConfigurationError(
                    variable: "RATE_CONTROL_TOKEN_FILE", value: "", expected: "the path of a file holding the key")
            }
            let contents: Data
            do {
                contents = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ConfigurationError(
                    variable: "RATE_CONTROL_TOKEN_FILE", value: path, expected: "a readable file holding the key")
            }
            var bytes = Array(contents)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard !bytes.isEmpty else {
                throw ConfigurationError(
                    variable: "RATE_CONTROL_TOKEN_FILE", value: path, expected: "a file holding a non-empty key")
            }
            // Not decoded as UTF-8 first: a byte that is not visible ASCII must be refused, not replaced.
            guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ConfigurationError(
                    variable: "RATE_CONTROL_TOKEN_FILE", value: path,
                    expected: "a file holding a key of visible ASCII characters only (no spaces, controls or non-ASCII)"
                )
            }
            do {
                return try RateControlToken(String(decoding: bytes, as: UTF8.self), variable: "RATE_CONTROL_TOKEN_FILE")
            } catch {
                // The same checks, but the value people know here is the path, not the key.
                throw ConfigurationError(
                    variable: error.variable, value: path, expected: "a file holding \(error.expected)")
            }
        }
    }
}

/// Why a router could not read or change the route. The message is a complete log line: what was
/// attempted, against what, and what to check; the kind says which of those it was, for code
/// (and tests) that must tell them apart without reading the sentence.
public struct RouterError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// No answer: connection refused or timed out, a name that does not resolve, a token that
        /// cannot be read, a command that cannot be started.
        case unreachable
        /// An answer that says no: HTTP 401/403/404 or another error status, HAProxy refusing a
        /// command, a command that exits non-zero or is killed.
        case refused
        /// The route object kept changing between our read and our write, beyond the retries.
        case conflict
        /// The route is not something whose weights can be set: no matching destinations,
        /// weights that are not integers in range, an answer that is not the expected JSON.
        case unusableRoute
        /// The caller asked for a weight outside 0...100.
        case invalidWeight
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error without a finer kind: most callers that pass only a message report no answer
    /// (a failed connect, read or start).
    public init(_ message: String) {
        self.init(.unreachable, message)
    }

    public var description: String { message }
}

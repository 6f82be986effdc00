import FoundationEssentials

/// The JSON body of every error answer of the frontend's API: `{"error": "..."}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// A sentence for a person.
    public var error: String

    public init(error: String) {
        self.error = error
    }

    /// The encoded body. Encoding a single string cannot fail; the fallback only keeps this total.
    public var json: [UInt8] {
        (try? Array(JSONEncoder().encode(self))) ?? Array(#"{"error":"internal error"}"#.utf8)
    }
}

import HashrCore

/// Why a rate was rejected; answered as `400 {"error": message}`.
public struct RateBodyError: Error, Equatable, CustomStringConvertible, Sendable {
    /// One sentence for a person, saying what was wrong and what is expected.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The answer: `400 {"error": message}`, in the shape of every error of the API.
    public var response: HTTPResponse { .error(400, message) }
}

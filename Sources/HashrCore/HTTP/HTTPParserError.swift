/// Why a message could not be parsed, with the status a server answers before closing.
public enum HTTPParserError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed syntax or ambiguous framing (request smuggling material): 400.
    case badRequest(String)
    /// The request line is longer than the limit: 414.
    case uriTooLong
    /// Header fields together exceed the byte limit, or there are too many: 431.
    case headersTooLarge(String)
    /// The body is larger than the limit: 413.
    case payloadTooLarge
    /// A transfer coding other than chunked: 501.
    case unsupportedTransferEncoding(String)
    /// Not HTTP/1.0 or 1.1: 505.
    case unsupportedVersion(String)

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .uriTooLong: 414
        case .headersTooLarge: 431
        case .payloadTooLarge: 413
        case .unsupportedTransferEncoding: 501
        case .unsupportedVersion: 505
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let why): "bad request: \(why)"
        case .uriTooLong: "request line too long"
        case .headersTooLarge(let why): "header fields too large: \(why)"
        case .payloadTooLarge: "body too large"
        case .unsupportedTransferEncoding(let coding): "unsupported transfer coding: \(coding)"
        case .unsupportedVersion(let version): "unsupported HTTP version: \(version)"
        }
    }
}

import HashrCore

/// Who may change the rate: anyone when no key is configured, otherwise a request with
/// `Authorization: Bearer <key>` (RFC 6750 section 2.1). Pure: headers in, a decision out.
public enum RateControlAuthorization: Equatable, Sendable {
    /// Go ahead.
    case granted
    /// No Bearer credentials at all: no `Authorization`, another scheme (`Basic ...`), or a Bearer
    /// with nothing after it. The challenge carries no error code (RFC 6750 section 3.1).
    case missing
    /// A Bearer key that is not the configured one (or several `Authorization` fields).
    case invalid

    /// The realm of the `WWW-Authenticate` challenge.
    public static let realm = "string-hashr"

    /// Decides for a request's headers; `token` nil means rate control is open.
    public init(headers: HTTPHeaders, token: RateControlToken?) {
        guard let token else {
            self = .granted
            return
        }
        let fields = headers.values("authorization")
        guard fields.count <= 1 else {
            // Which one would a proxy in front have checked? Refuse rather than guess.
            self = .invalid
            return
        }
        guard let field = fields.first, let credential = Self.bearerCredential(field) else {
            self = .missing
            return
        }
        self = token.matches(credential) ? .granted : .invalid
    }

    /// The key of `Bearer <key>`: the scheme in any case (RFC 9110 section 11.1), then one or more
    /// spaces, then the rest as sent, not decoded (a percent-encoded key is another key). Nil for
    /// another scheme or an empty key.
    static func bearerCredential(_ field: String) -> ArraySlice<UInt8>? {
        let bytes = Array(field.utf8)[...]
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ ($0 | 0x20) == $1 }),
            bytes[bytes.startIndex + scheme.count] == 0x20
        else { return nil }
        var credential = bytes.dropFirst(scheme.count).drop { $0 == 0x20 }
        while credential.last == 0x20 || credential.last == 0x09 { credential = credential.dropLast() }
        return credential.isEmpty ? nil : credential
    }

    /// The 401 for a refusal: a JSON error and the `WWW-Authenticate` challenge.
    public var refusal: HTTPResponse? {
        let message: String
        var challenge = "Bearer realm=\"\(Self.realm)\""
        switch self {
        case .granted:
            return nil
        case .missing:
            message = "changing the rate needs the rate-control key: send Authorization: Bearer <key>"
        case .invalid:
            message = "the rate-control key is not valid"
            challenge += ", error=\"invalid_token\""
        }
        var response = HTTPResponse.error(401, message)
        response.headers.add("WWW-Authenticate", challenge)
        response.headers.add("Cache-Control", "no-store")
        return response
    }
}

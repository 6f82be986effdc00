import HashrCore
import Testing

@testable import FrontendService

/// Who may change the rate, decided from the request's headers alone.
@Suite struct RateControlAuthorizationTests {
    static let key = "0123456789abcdef-rate-key"
    static let token = RateControlToken(key)

    static func decide(_ fields: [String]) -> RateControlAuthorization {
        RateControlAuthorization(headers: HTTPHeaders(fields.map { ("Authorization", $0) }), token: token)
    }

    @Test func withoutAConfiguredKeyEveryoneMayChangeTheRate() {
        #expect(RateControlAuthorization(headers: HTTPHeaders(), token: nil) == .granted)
        #expect(RateControlAuthorization(headers: HTTPHeaders([("Authorization", "Bearer x")]), token: nil) == .granted)
    }

    @Test(arguments: [
        ("Bearer \(key)", RateControlAuthorization.granted),
        // RFC 9110: the scheme is case-insensitive; RFC 6750: one or more spaces before the key.
        ("bearer \(key)", .granted),
        ("BEARER \(key)", .granted),
        ("Bearer    \(key)", .granted),
        ("Bearer \(key)  ", .granted),
        ("Bearer wrong-key-of-some-length", .invalid),
        ("Bearer \(key)x", .invalid),
        ("Bearer \(String(key.dropLast()))", .invalid),
        ("Bearer \(key) \(key)", .invalid),
        ("Bearer \(key.uppercased())", .invalid),
        // Not decoded: a percent-encoded key is another key.
        ("Bearer %30123456789abcdef-rate-key", .invalid),
        ("Bearer 0123456789abcdéf-rate-key", .invalid),
        ("Bearer \(String(repeating: "k", count: 10_000))", .invalid),
        ("Bearer", .missing),
        ("Bearer ", .missing),
        ("Bearer     ", .missing),
        ("", .missing),
        ("Basic \(key)", .missing),
        ("Token \(key)", .missing),
        ("Bearer\(key)", .missing),
        ("Bearer\t\(key)", .missing),
        ("\(key)", .missing),
    ])
    func oneAuthorizationField(field: String, expected: RateControlAuthorization) {
        #expect(Self.decide([field]) == expected, "\(field.prefix(40))")
    }

    @Test func noFieldIsMissingAndTwoFieldsAreRefused() {
        #expect(Self.decide([]) == .missing)
        #expect(Self.decide(["Bearer \(Self.key)", "Bearer \(Self.key)"]) == .invalid)
        #expect(Self.decide(["Bearer wrong", "Bearer \(Self.key)"]) == .invalid)
    }

    @Test func refusalsAre401WithAChallengeAndAJSONError() throws {
        #expect(RateControlAuthorization.granted.refusal == nil)
        let missing = try #require(RateControlAuthorization.missing.refusal)
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"] == #"Bearer realm="string-hashr""#)
        #expect(missing.headers["Content-Type"] == "application/json")
        #expect(String(decoding: missing.body, as: UTF8.self).contains(#""error":"#))
        let invalid = try #require(RateControlAuthorization.invalid.refusal)
        #expect(invalid.status == 401)
        #expect(invalid.headers["WWW-Authenticate"] == #"Bearer realm="string-hashr", error="invalid_token""#)
        #expect(!String(decoding: invalid.body, as: UTF8.self).contains(Self.key))
    }
}

import Foundation
import HashrCore
import Testing

@testable import FrontendService

@Suite struct RateBodyTests {
    static func parse(_ text: String, maximum: Double = 20_000) throws(RateBodyError) -> Double {
        try RateBody.parse(Array(text.utf8), maximum: maximum)
    }

    static func message(_ text: String, maximum: Double = 20_000) -> String? {
        do {
            _ = try parse(text, maximum: maximum)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        (#"{"rps": 20}"#, 20.0),
        (#"{"rps":0}"#, 0.0),
        (#"{"rps": 3.3}"#, 3.3),
        (#"{"rps": 1.5e3}"#, 1500.0),
        (#"{"rps": 2E1}"#, 20.0),
        (#"{"rps": 20000}"#, 20_000.0),
        (#"{"rps": 19999.999}"#, 19_999.999),
        (#"  {"comment": "ignored", "rps": 7 }  "#, 7.0),
        ("{\n\t\"rps\" : 12\n}\n", 12.0),
    ])
    func acceptsIntegerAndFractionalNumbers(body: String, expected: Double) throws {
        #expect(try Self.parse(body) == expected)
    }

    @Test func negativeZeroIsZero() throws {
        let value = try Self.parse(#"{"rps": -0}"#)
        #expect(value == 0 && value.sign == .plus)
    }

    @Test func rejectsNegative() {
        #expect(Self.message(#"{"rps": -1}"#) == "rps must not be negative (0 stops the generator)")
        #expect(Self.message(#"{"rps": -0.001}"#) != nil)
    }

    @Test func rejectsAboveMaximumNamingTheMaximum() {
        #expect(Self.message(#"{"rps": 20000.5}"#) == "rps must be at most 20000 requests per second")
        #expect(Self.message(#"{"rps": 1e20}"#) == "rps must be at most 20000 requests per second")
        #expect(Self.message(#"{"rps": 101}"#, maximum: 100) == "rps must be at most 100 requests per second")
        #expect(Self.message(#"{"rps": 2.6}"#, maximum: 2.5) == "rps must be at most 2.5 requests per second")
        #expect(Self.message(#"{"rps": 100}"#, maximum: 100) == nil)
    }

    @Test func rejectsNumbersTooLargeForADouble() {
        #expect(Self.message(#"{"rps": 1e400}"#) == "rps must be a finite number")
        #expect(Self.message(#"{"rps": -1e400}"#) == "rps must be a finite number")
    }

    @Test(arguments: [
        (#"{"rps": "20"}"#, "rps must be a number, not a string"),
        (#"{"rps": null}"#, "rps must be a number, not null"),
        (#"{"rps": true}"#, "rps must be a number, not the boolean true"),
        (#"{"rps": false}"#, "rps must be a number, not the boolean false"),
        (#"{"rps": [20]}"#, "rps must be a number, not an array"),
        (#"{"rps": {"value": 20}}"#, "rps must be a number, not an object"),
        (#"{}"#, #"missing "rps": send {"rps": <requests per second>}"#),
        (#"{"RPS": 20}"#, #"missing "rps": send {"rps": <requests per second>}"#),
        (#"[20]"#, #"the body must be a JSON object like {"rps": 20}"#),
        (#"20"#, #"the body must be a JSON object like {"rps": 20}"#),
    ])
    func rejectsNonNumbersWithAMessageNamingWhatWasSent(body: String, expected: String) {
        #expect(Self.message(body) == expected)
    }

    @Test(arguments: ["", "{", #"{"rps": NaN}"#, #"{"rps": Infinity}"#, "not json", #"{"rps": 0x10}"#])
    func rejectsMalformedJSON(body: String) {
        #expect(Self.message(body) == #"the body must be a JSON object like {"rps": 20}, with a finite number"#)
    }

    @Test func validateAppliesTheSameRulesToNumbersFromElsewhere() throws {
        #expect(try RateBody.validate(5, maximum: 10) == 5)
        #expect(throws: RateBodyError("rps must be a finite number")) { try RateBody.validate(.nan) }
        #expect(throws: RateBodyError("rps must be a finite number")) { try RateBody.validate(.infinity) }
        #expect(throws: RateBodyError.self) { try RateBody.validate(-.infinity) }
    }

    @Test func errorIsAnsweredAsTheAPIsJSONError() throws {
        let response = RateBodyError(#"say "hi"\n"#).response
        #expect(response.status == 400)
        #expect(response.headers["Content-Type"] == "application/json")
        let decoded = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
        #expect(decoded == ErrorBody(error: #"say "hi"\n"#))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
        #expect(object == ["error": #"say "hi"\n"#])
    }

    @Test func rateBodyEncodesForGet() throws {
        #expect(String(decoding: RateBody(rps: 20).json, as: UTF8.self) == #"{"rps":20}"#)
        #expect(try JSONDecoder().decode(RateBody.self, from: Data(RateBody(rps: 3.3).json)) == RateBody(rps: 3.3))
        // What GET answers, PUT accepts.
        #expect(try RateBody.parse(RateBody(rps: 12.5).json) == 12.5)
    }
}

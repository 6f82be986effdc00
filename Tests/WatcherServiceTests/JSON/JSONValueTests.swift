import Testing

@testable import WatcherService

@Suite struct JSONValueTests {
    @Test func roundTripKeepsKeyOrderNumbersAndBooleans() throws {
        let text =
            #"{"z":1,"a":{"weight":100,"ratio":0.50,"big":1e3,"neg":-0.0},"flag":true,"off":false,"n":null,"list":[1,"two",[]]}"#
        let value = try JSONParser.parse(text)
        #expect(value.serialized == text)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["z", "a", "flag", "off", "n", "list"])
        #expect(value["a"]?["ratio"] == .number("0.50"))
        #expect(value["flag"] == .bool(true))
    }

    @Test func whitespaceIsAcceptedAndDropped() throws {
        let value = try JSONParser.parse(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n ")
        #expect(value.serialized == #"{"a":[1,2]}"#)
    }

    @Test func stringEscapesDecodeAndReencode() throws {
        let value = try JSONParser.parse(#"["q\"b\\s\/n\nt\tc\u0001e\u00e9g\ud83d\ude00"]"#)
        #expect(value.arrayValue?.first?.stringValue == "q\"b\\s/n\nt\tc\u{01}e\u{e9}g\u{1F600}")
        #expect(value.serialized == "[\"q\\\"b\\\\s/n\\nt\\tc\\u0001e\u{e9}g\u{1F600}\"]")
        #expect(try JSONParser.parse(value.serialized) == value)
    }

    @Test func rawUTF8IsKept() throws {
        let value = try JSONParser.parse("\"grüße 🙂\"")
        #expect(value.stringValue == "grüße 🙂")
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a string key"),
        ("{\"a\" 1}", "expected ':'"),
        ("{\"a\":1,}", "expected a string key"),
        ("[1,]", "unexpected character ']'"),
        ("[1 2]", "expected ',' or ']'"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}'"),
        ("tru", "expected true"),
        ("nul", "expected null"),
        ("01", "unexpected data after the document"),
        ("-", "expected a digit"),
        ("1.", "expected a digit after '.'"),
        ("1e", "expected a digit in the exponent"),
        ("+1", "unexpected character '+'"),
        ("\"abc", "unterminated string"),
        ("\"a\nb\"", "unescaped control character"),
        ("\"\\x\"", "invalid escape"),
        ("\"\\u12\"", "expected four hex digits"),
        ("\"\\u+123\"", "expected four hex digits"),
        ("\"\\ud800\"", "unpaired surrogate"),
        ("\"\\udc00\"", "unpaired surrogate"),
        ("\"\\ud800\\u0041\"", "invalid low surrogate"),
        ("{\"a\":1,\"a\":2}", "duplicate key \"a\""),
        ("{} {}", "unexpected data after the document"),
        ("NaN", "unexpected character 'N'"),
    ])
    func malformedInputThrowsWithReason(input: String, reason: String) {
        #expect {
            try JSONParser.parse(input)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func failureReportsOffset() {
        #expect(throws: JSONParser.Failure(reason: "expected ',' or ']' in an array", offset: 3)) {
            try JSONParser.parse("[1 2]")
        }
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let ok =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try JSONParser.parse(ok)
        let deep = String(repeating: "[", count: 100_000)
        #expect { try JSONParser.parse(deep) } throws: { "\($0)".contains("nested deeper") }
    }

    @Test func setReplacesInPlaceOrAppends() throws {
        var value = try JSONParser.parse(#"{"a":1,"b":2}"#)
        value.set("a", to: 5)
        value.set("c", to: "x")
        #expect(value.serialized == #"{"a":5,"b":2,"c":"x"}"#)
        var array: JSONValue = [1, 2]
        array.set("a", to: 1)
        #expect(array == [1, 2])
    }

    @Test func numericAccessors() throws {
        #expect(JSONValue.number("100").intValue == 100)
        #expect(JSONValue.number("1e2").intValue == 100)
        #expect(JSONValue.number("0.5").intValue == nil)
        #expect(JSONValue.number("1e300").intValue == nil)
        #expect(JSONValue.number("0.5").doubleValue == 0.5)
        #expect(JSONValue.string("5").intValue == nil)
        #expect(JSONValue.integer(-7).serialized == "-7")
    }

    @Test func literalsBuildOrderedDocuments() {
        let value: JSONValue = ["kind": "Event", "count": 1, "ok": true, "none": nil, "list": ["a"]]
        #expect(value.serialized == #"{"kind":"Event","count":1,"ok":true,"none":null,"list":["a"]}"#)
        #expect(value.kindName == "an object")
        #expect(value.isObject)
    }
}

import Foundation
import HashrCore
import Testing

@testable import WorkerService

/// Yields 0x00, 0x01, 0x02, ... as bytes, low byte first, so the random part is predictable.
struct CountingRandom: RandomNumberGenerator {
    var nextByte: UInt8 = 0

    mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            word |= UInt64(nextByte) << UInt64(shift)
            nextByte &+= 1
        }
        return word
    }
}

@Suite struct HashComputationTests {
    // Expected values computed independently: base64(sha256(message)) with Python's hashlib.
    @Test func knownVectorASCII() {
        var hasher = HashComputation(random: CountingRandom(), hourOfDay: { 13 })
        // "hello" + hex(00 01 02 03 04) + "13"
        #expect(hasher.hash("hello") == "nIkudlNM/aBIJ62MGSzuEsReN9jUKn7lHH6IlJ4E72Y=")
    }

    @Test func lengthCountsUTF16CodeUnits() {
        var hasher = HashComputation(random: CountingRandom(), hourOfDay: { 7 })
        // "hé😀" is 4 UTF-16 code units, so 4 random bytes: "00010203", then hour "7".
        #expect(hasher.hash("hé😀") == "3a47hz/8v34xch9FreEI2vYjuKmZ5EUz3SIl2whbKGc=")
    }

    @Test func emptyStringHashesTheHourOnly() {
        var hasher = HashComputation(random: CountingRandom(), hourOfDay: { 0 })
        #expect(hasher.hash("") == "X+zrZv/IbzjZUnhsbWlsecLbwjndTpG0ZynXOif7V+k=")
    }

    @Test func realRandomnessGivesDistinctValidHashes() {
        var hasher = HashComputation(random: FastRandom(), hourOfDay: HourOfDay().current)
        let hashes = (0..<1000).map { _ in hasher.hash("same input") }
        #expect(Set(hashes).count == 1000)
        for hash in hashes.prefix(10) {
            #expect(hash.count == 44)
            #expect(Data(base64Encoded: hash)?.count == 32)
        }
    }

    @Test func hourOfDayIsInRange() {
        #expect((0...23).contains(HourOfDay().current()))
    }
}

@Suite struct HashRequestTests {
    @Test(arguments: [
        ("", "empty body"),
        ("not json", "not valid JSON"),
        ("{\"str\": ", "not valid JSON"),
        ("[\"str\"]", "JSON object"),
        ("\"hello\"", "JSON object"),
        ("42", "JSON object"),
        ("null", "JSON object"),
        ("{}", "missing field"),
        ("{\"other\": \"x\"}", "missing field"),
        ("{\"str\": null}", "got null"),
        ("{\"str\": 5}", "got a number"),
        ("{\"str\": 1.5}", "got a number"),
        ("{\"str\": true}", "got a boolean"),
        ("{\"str\": [\"a\"]}", "got an array"),
        ("{\"str\": {\"a\": 1}}", "got an object"),
    ])
    func rejects(body: String, reason: String) throws {
        let result = HashRequest.parse(Array(body.utf8))
        guard case .failure(let error) = result else {
            Issue.record("accepted \(body)")
            return
        }
        #expect(error.description.contains(reason), "\(error.description)")
    }

    @Test func acceptsStringsIncludingEmptyAndUnicode() throws {
        #expect(try HashRequest.parse(Array("{\"str\": \"hello\"}".utf8)).get() == "hello")
        #expect(try HashRequest.parse(Array("{\"str\": \"\"}".utf8)).get() == "")
        #expect(try HashRequest.parse(Array("{\"str\": \"h\\u00e9\", \"extra\": 1}".utf8)).get() == "hé")
    }

    @Test func thePlainShapeSkipsTheDecoderOnlyWhenNothingNeedsDecoding() {
        #expect(HashRequest.plainBody(Array(#"{"str":"abc123"}"#.utf8)) == "abc123")
        #expect(HashRequest.plainBody(Array(" {\n\t\"str\" : \"hé 😀\" } \r\n".utf8)) == "hé 😀")
        #expect(HashRequest.plainBody(Array(#"{"str":""}"#.utf8)) == "")
        for body in [
            #"{"str":"a\"b"}"#, #"{"str":"a\u0041"}"#, #"{"str":"a","x":1}"#, #"{"x":1,"str":"a"}"#,
            #"{"str":"a"}x"#, #"{"str":"a""#, #"{"str":5}"#, #"{"STR":"a"}"#, #"["str"]"#, "{\"str\":\"a\u{1}\"}",
        ] {
            #expect(HashRequest.plainBody(Array(body.utf8)) == nil, "\(body)")
        }
        // Invalid UTF-8 is left to the decoder, which refuses it.
        let invalid: [UInt8] = Array(#"{"str":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(HashRequest.plainBody(invalid) == nil)
        #expect((try? HashRequest.parse(invalid).get()) == nil)
    }

    @Test func thePlainShapeAgreesWithTheDecoderOnEveryInput() {
        // Bodies built from pieces of JSON syntax, quotes, escapes, spaces and non-ASCII text: whatever
        // the fast path accepts, the decoder must accept with the same string.
        let pieces = [
            "{", "}", "\"", "str", ":", " ", "\n", "\\", "\\\"", "a", "é", "😀", ",", "1", "\u{7}", "\"str\"", "\"x\"",
        ]
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<20_000 {
            var body = #"{"str":""#
            for _ in 0..<Int.random(in: 0...6, using: &generator) { body += pieces.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { body += #""}"# } else { body += pieces.randomElement(using: &generator)! }
            let bytes = Array(body.utf8)
            guard let fast = HashRequest.plainBody(bytes) else { continue }
            accepted += 1
            #expect((try? HashRequest.decode(bytes).get()) == fast, "\(body)")
        }
        #expect(accepted > 1000, "the fast path was exercised")
    }
}


@Suite struct Base64TextTests {
    /// RFC 4648's test vectors, and a digest's length.
    @Test func rfc4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, expected) in vectors {
            #expect(Base64Text.encode(Array(input.utf8)) == expected)
        }
        #expect(Base64Text.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64Text.encode([UInt8](repeating: 0xFF, count: 32)).count == 44)
    }
}

/// The hash as it was built before: the whole message in one array, hex a byte at a time.
@Suite struct HashComputationPiecesTests {
    func reference(_ input: String, random: inout CountingRandom, hour: Int) -> String {
        var message = Array(input.utf8)
        var remaining = input.utf16.count
        let digits = Array("0123456789abcdef".utf8)
        while remaining > 0 {
            var word = random.next()
            for _ in 0..<min(8, remaining) {
                message.append(digits[Int(word & 0xFF) >> 4])
                message.append(digits[Int(word & 0x0F)])
                word >>= 8
                remaining -= 1
            }
        }
        message.append(contentsOf: String(hour).utf8)
        var digest = SHA256Digest()
        message.withUnsafeBufferPointer { digest.update($0) }
        return digest.finish { Base64Text.encode(Array($0)) }
    }

    @Test(arguments: [1, 7, 8, 9, 16, 17, 119, 120, 121, 128, 129, 300, 1000])
    func longInputsHashAsTheWholeMessageDid(length: Int) {
        let input = String((0..<length).map { index in index % 5 == 4 ? "é" : Character(UnicodeScalar(97 + index % 26)!) })
        for hour in [0, 9, 10, 23, 123, -4] {
            var hasher = HashComputation(random: CountingRandom(nextByte: UInt8(truncatingIfNeeded: length)), hourOfDay: { hour })
            var random = CountingRandom(nextByte: UInt8(truncatingIfNeeded: length))
            #expect(hasher.hash(input) == reference(input, random: &random, hour: hour), "length \(length), hour \(hour)")
        }
    }

    @Test func hexOfFourBytesAtOnce() {
        var generator = SystemRandomNumberGenerator()
        for value in [0, 0x0A0B_0C0D, 0xFFFF_FFFF, 0x1234_5678, 0x9ABC_DEF0] + (0..<1000).map({ _ in UInt32.random(in: .min ... .max, using: &generator) }) {
            let word = HashComputation<CountingRandom>.hex(value)
            let text = String(decoding: withUnsafeBytes(of: word.littleEndian) { Array($0) }, as: UTF8.self)
            let expected = (0..<4).map { index in
                let byte = UInt8(truncatingIfNeeded: value >> (8 * index))
                return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
            }.joined()
            #expect(text == expected, "\(value)")
        }
    }

    @Test func theRequestsOwnBytesHashAsItsString() {
        for body in [#"{"str":"abc123"}"#, #" { "str" : "hello world" } "#, #"{"str":""}"#] {
            let bytes = Array(body.utf8)
            let plain = HashRequest.plainText(bytes)
            #expect(plain?.isASCII == true)
            guard let range = plain?.range else { continue }
            let text = HashRequest.plainBody(bytes)!
            var fromString = HashComputation(random: CountingRandom(), hourOfDay: { 17 })
            var fromBytes = HashComputation(random: CountingRandom(), hourOfDay: { 17 })
            let hashed = bytes.withUnsafeBufferPointer {
                fromBytes.hash(ofUTF8: UnsafeBufferPointer(rebasing: $0[range]), utf16Count: range.count)
            }
            #expect(hashed == fromString.hash(text))
        }
        #expect(HashRequest.plainText(Array(#"{"str":"hé"}"#.utf8))?.isASCII == false)
        #expect(HashRequest.plainText(Array(#"{"str":"a\"b"}"#.utf8)) == nil)
    }
}

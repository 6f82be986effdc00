import Testing

@testable import HashrCore

/// The byte classes of RFC 9110's grammar, checked for every byte value.
@Suite struct HTTPSyntaxTests {
    @Test func tokenBytesAreLettersDigitsAndFifteenMarks() {
        let marks = Array("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            let expected = isLetter || (0x30...0x39).contains(byte) || marks.contains(byte)
            #expect(HTTPSyntax.isTokenByte(byte) == expected, "byte \(byte)")
        }
    }

    @Test func fieldValueBytesAreTabVisibleASCIISpaceAndObsText() {
        for value in 0...255 {
            let byte = UInt8(value)
            let expected = byte == 0x09 || (0x20...0x7E).contains(byte) || byte >= 0x80
            #expect(HTTPSyntax.isFieldValueByte(byte) == expected, "byte \(byte)")
        }
    }

    @Test func spellsComparesAStringsUTF8WithBytes() {
        func spells(_ string: String, _ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBufferPointer { HTTPSyntax.spells(string, $0) }
        }
        #expect(spells("", []))
        #expect(spells("Host", Array("Host".utf8)))
        #expect(!spells("Host", Array("host".utf8)))
        #expect(!spells("Host", Array("Hos".utf8)))
        #expect(spells("application/json", Array("application/json".utf8)))
        #expect(!spells("application/json", Array("application/jsoN".utf8)))
        #expect(spells("é", [0xC3, 0xA9]))
        // A repaired string's bytes are the replacement character's, not the invalid byte.
        #expect(!spells(String(decoding: [0xFF], as: UTF8.self), [0xFF]))
        #expect(spells(String(decoding: [0xFF], as: UTF8.self), [0xEF, 0xBF, 0xBD]))
    }
}

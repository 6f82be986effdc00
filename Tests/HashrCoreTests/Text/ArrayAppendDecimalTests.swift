import Testing

@testable import HashrCore

@Suite struct ArrayAppendDecimalTests {
    /// Each length of the short path and of the long one, both ends of Int, and negatives.
    @Test(arguments: [
        0, 7, 9, 10, 42, 99, 100, 404, 999, 1000, 1001, 65_536, 1_234_567_890, Int.max, -1, -999, -1000, Int.min,
    ])
    func spellsAsStringDoes(value: Int) {
        var bytes: [UInt8] = [UInt8(ascii: "x")]
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == "x\(value)")
    }
}

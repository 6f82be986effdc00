import HashrCore
import Testing

struct StringProtocolDigitsTests {
    @Test(arguments: [("", 0), ("7", 1), ("123abc", 3), ("abc", 0), ("-12", 0), ("+1", 0), ("٣", 0), ("09x", 2)])
    func leadingDigitsAreASCIIOnly(text: String, count: Int) {
        #expect(text.leadingASCIIDigitCount == count)
    }

    @Test func onlyDigitsAndAtLeastOne() {
        #expect("0".isASCIIDigits)
        #expect("4096".isASCIIDigits)
        #expect(!"".isASCIIDigits)
        #expect(!"12 ".isASCIIDigits)
        #expect(!" 12".isASCIIDigits)
        #expect(!"1_000".isASCIIDigits)
        // A digit that is not ASCII is not one of ours (Int(_:) would refuse it too).
        #expect(!"١٢".isASCIIDigits)
        #expect(Substring("x42").dropFirst().isASCIIDigits)
    }
}

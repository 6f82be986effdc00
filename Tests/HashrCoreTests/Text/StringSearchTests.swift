import HashrCore
import Testing

/// `firstRange(ofCharacters:)` finds what the standard `firstRange(of:)` finds, Character by Character.
@Suite struct StringSearchTests {
    @Test(arguments: [
        ("http://host", "://"), ("redis://a@b", "://"), ("no scheme", "://"), ("", "://"), ("abc", ""), ("", ""),
        ("aab", "ab"), ("ab", "abc"), ("x://y://z", "://"), (":/:/://", "://"), ("e\u{301}://", "e://"),
        ("caf\u{E9}", "e"), ("\u{1F600}://", "://"),
    ])
    func findsWhatTheStandardSearchFinds(text: String, pattern: String) {
        #expect(text.firstRange(ofCharacters: pattern) == text.firstRange(of: pattern), "\(text) / \(pattern)")
        #expect(text.contains(characters: pattern) == text.contains(pattern))
        let slice = text.dropFirst()
        #expect(slice.firstRange(ofCharacters: pattern) == slice.firstRange(of: pattern))
    }
}

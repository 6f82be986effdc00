extension StringProtocol {
    /// The first range of `pattern`, compared Character by Character (what `firstRange(of:)` and
    /// `contains(_:)` with a string do). Here rather than those because they live in
    /// _StringProcessing, whose code is one 400 KB section: a single call at start-up pages in a
    /// few 64 KB stretches of it, a few hundred KB of an idle service's memory (bench/memory).
    public func firstRange(ofCharacters pattern: some StringProtocol) -> Range<Index>? {
        let needle = Array(pattern)
        var start = startIndex
        while true {
            var index = start
            var matched = 0
            while matched < needle.count, index != endIndex, self[index] == needle[matched] {
                formIndex(after: &index)
                matched += 1
            }
            if matched == needle.count { return start..<index }
            if start == endIndex { return nil }
            formIndex(after: &start)
        }
    }

    /// Whether `pattern` occurs, as `firstRange(ofCharacters:)` finds it; false for an empty
    /// pattern, as the standard `contains(_:)` answers.
    public func contains(characters pattern: some StringProtocol) -> Bool {
        !pattern.isEmpty && firstRange(ofCharacters: pattern) != nil
    }
}

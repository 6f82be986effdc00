extension StringProtocol {
    /// Without leading and trailing spaces and tabs: HTTP's optional white space, and how values
    /// from the environment are read.
    public func trimmingSpaces() -> String {
        trimming { $0 == " " || $0 == "\t" }
    }

    /// Without leading and trailing white space and line breaks: for files such as a service
    /// account's token, which usually end with a newline.
    public func trimmingWhitespace() -> String {
        trimming(\.isWhitespace)
    }

    private func trimming(_ isTrimmed: (Character) -> Bool) -> String {
        var slice = Substring(self)
        while let first = slice.first, isTrimmed(first) { slice = slice.dropFirst() }
        while let last = slice.last, isTrimmed(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

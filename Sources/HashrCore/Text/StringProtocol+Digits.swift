extension StringProtocol {
    /// How many ASCII digits (`0`-`9`) the text starts with. For the few numbers the services read
    /// by hand (HAProxy's answers, Kubernetes API versions), where `Int(_:)` alone would also take
    /// a sign.
    public var leadingASCIIDigitCount: Int {
        utf8.prefix { $0 &- UInt8(ascii: "0") < 10 }.count
    }

    /// Whether the text is one or more ASCII digits and nothing else.
    public var isASCIIDigits: Bool {
        !isEmpty && leadingASCIIDigitCount == utf8.count
    }
}

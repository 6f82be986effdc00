extension Duration {
    /// A short form for messages and logs that `EnvironmentReader.parseDuration` reads back: whole
    /// seconds as `2s`, anything else in whole milliseconds (`250ms`, `1500ms`; a fraction of a
    /// millisecond is dropped).
    public var shortText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(wholeMilliseconds)ms"
    }
}

extension Duration {
    /// Whole milliseconds with the fraction dropped (toward zero): for `poll(2)`, libcurl and
    /// messages, which count in milliseconds and where a fraction of one does not matter.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole milliseconds rounded up, so a short positive delay never becomes zero (a libuv timer
    /// of 0 fires on the next loop turn); zero for a negative duration.
    var milliseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let millis = UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
        return attoseconds % 1_000_000_000_000_000 == 0 ? millis : millis + 1
    }

    /// Nanoseconds, the fraction dropped.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

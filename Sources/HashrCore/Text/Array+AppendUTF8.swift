extension Array where Element == UInt8 {
    /// Appends `text`'s UTF-8 bytes with one copy. `append(contentsOf: text.utf8)` goes through
    /// the generic sequence path (~300 instructions a call here, whatever the length); heads, log
    /// lines and Redis commands append a dozen strings per request.
    @inlinable
    public mutating func appendUTF8(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil { append(contentsOf: text.utf8) }
    }
}

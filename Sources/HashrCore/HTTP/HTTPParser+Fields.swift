#if canImport(Glibc)
import Glibc
#endif

extension HTTPParser {
    /// One header line, but for the obsolete line folding `readHead` refuses.
    mutating func parseHeaderLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        let field = try Self.fieldBounds(line)
        let name = UnsafeBufferPointer(rebasing: line[..<field.colon])
        let value = UnsafeBufferPointer(rebasing: line[field.valueStart..<field.valueEnd])
        let fieldName = HTTPHeadFacts.FieldName(name)
        let keeps = !keepsOnlyFramingFields || kind == .request || fieldName.isFraming
        // A name or value with the same bytes as the previous message's at this place was checked
        // then, and its string is there already: on a kept-alive connection that is most of them.
        let repeated =
            keeps ? headers.repeats(at: keptFieldCount, name: name, value: value) : (name: false, value: false)
        if !repeated.name { try Self.checkName(name) }
        if !repeated.value { try Self.checkValue(value) }
        guard fieldCount < limits.maxHeaderCount else {
            throw .headersTooLarge("more than \(limits.maxHeaderCount) fields")
        }
        fieldCount += 1
        facts.add(fieldName, value: value)
        guard keeps else { return }
        headers.setField(at: keptFieldCount, name: name, value: value, repeated: repeated)
        keptFieldCount += 1
    }

    /// A trailer field: checked like a header field, then dropped (nothing here needs them).
    static func checkTrailerLine(_ line: ArraySlice<UInt8>) throws(HTTPParserError) {
        try line.withUnsafeBufferPointer { bytes throws(HTTPParserError) in
            let field = try fieldBounds(bytes)
            try checkName(UnsafeBufferPointer(rebasing: bytes[..<field.colon]))
            try checkValue(UnsafeBufferPointer(rebasing: bytes[field.valueStart..<field.valueEnd]))
        }
    }

    /// Where the parts of `name: value` are: the name before the first colon, which must not be
    /// empty, and the value after it, trimmed of spaces and tabs. Their bytes are checked apart
    /// (`checkName`, `checkValue`), so that bytes already checked in a previous message are not.
    static func fieldBounds(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> (
        colon: Int, valueStart: Int, valueEnd: Int
    ) {
        guard let base = line.baseAddress, let found = memchr(base, Int32(UInt8(ascii: ":")), line.count) else {
            throw .badRequest("header field without a name")
        }
        let colon = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        guard colon > 0 else { throw .badRequest("header field without a name") }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
        while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        return (colon, start, end)
    }

    /// A name is a token: no spaces (none before the colon either), controls or separators.
    static func checkName(_ name: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        for byte in name where !HTTPSyntax.isTokenByte(byte) { throw .badRequest("invalid header field name") }
    }

    static func checkValue(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        for byte in value where !HTTPSyntax.isFieldValueByte(byte) {
            throw .badRequest("control character in header field value")
        }
    }
}

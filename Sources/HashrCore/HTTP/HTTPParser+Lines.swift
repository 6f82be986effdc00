#if canImport(Glibc)
import Glibc
#endif

extension HTTPParser {
    /// The next CRLF-terminated line without its CRLF, or nil when none is complete yet.
    /// Throws the error of `onOverflow` once more than `limit` bytes are pending without a line
    /// end. The error's text is built only when it is thrown, not for every line.
    mutating func nextLine(limit: Int, onOverflow: LineKind) throws(HTTPParserError) -> ArraySlice<UInt8>? {
        let end = buffer.count
        // memchr over the raw bytes instead of indexing the array byte by byte.
        let index = buffer.withUnsafeBufferPointer { bytes -> Int in
            guard let base = bytes.baseAddress, scanIndex < end,
                let found = memchr(base + scanIndex, 0x0A, end - scanIndex)
            else { return end }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }
        guard index < end else {
            scanIndex = end
            if end - readIndex > limit + 1 { throw overflow(onOverflow) }
            return nil
        }
        // A bare LF is rejected: lenient line endings are how requests get smuggled past proxies.
        guard index > readIndex, buffer[index - 1] == 0x0D else { throw .badRequest("line not terminated by CRLF") }
        let line = buffer[readIndex..<(index - 1)]
        if line.count > limit { throw overflow(onOverflow) }
        consume(index + 1 - readIndex)
        return line
    }

    /// The lines `nextLine` reads, each with its error for a line too long.
    enum LineKind {
        case startLine, header, chunkSize, trailer
    }

    func overflow(_ kind: LineKind) -> HTTPParserError {
        switch kind {
        case .startLine: self.kind == .request ? .uriTooLong : .badRequest("status line too long")
        case .header: .headersTooLarge("over \(limits.maxHeaderBytes) bytes")
        case .chunkSize: .badRequest("chunk size line too long")
        case .trailer: .headersTooLarge("trailers over the limit")
        }
    }

    mutating func parseStartLine(_ line: ArraySlice<UInt8>) throws(HTTPParserError) {
        try line.withUnsafeBufferPointer { bytes throws(HTTPParserError) in try parseStartLine(bytes) }
        facts = HTTPHeadFacts()
    }

    private mutating func parseStartLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        // Up to three parts at the first two spaces (the third may hold spaces), found in place:
        // every request and response starts here, so no array of parts is built.
        let firstSpace = line.firstIndex(of: 0x20)
        let secondSpace = firstSpace.flatMap { line[($0 + 1)...].firstIndex(of: 0x20) }
        let first = UnsafeBufferPointer(rebasing: line[..<(firstSpace ?? line.endIndex)])
        let second = firstSpace.map { UnsafeBufferPointer(rebasing: line[($0 + 1)..<(secondSpace ?? line.endIndex)]) }
        let third = secondSpace.map { UnsafeBufferPointer(rebasing: line[($0 + 1)...]) }
        switch kind {
        case .request:
            guard let second, let third, !first.isEmpty, !second.isEmpty else {
                throw .badRequest("malformed request line")
            }
            guard first.allSatisfy(HTTPSyntax.isTokenByte) else { throw .badRequest("invalid method") }
            // The target must be visible ASCII: spaces, controls and raw non-ASCII are all errors.
            guard second.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .badRequest("invalid request target") }
            let version = try Self.parseVersion(third)
            // A connection's requests mostly repeat the method and often the target: the strings
            // of the one before are taken again when the bytes are the same.
            lastMethod = HTTPSyntax.string(first, reusing: lastMethod)
            lastTarget = HTTPSyntax.string(second, reusing: lastTarget)
            pendingRequest = HTTPRequestHead(method: lastMethod, target: lastTarget, version: version)
        case .response:
            guard let second else { throw .badRequest("malformed status line") }
            let version = try Self.parseVersion(first)
            guard second.count == 3, let status = Self.threeDigits(second), status >= 100 else {
                throw .badRequest("malformed status code")
            }
            let reason = third.map { String(decoding: $0, as: UTF8.self) } ?? ""
            pendingResponse = HTTPResponseHead(version: version, status: status, reason: reason)
        }
    }

    /// Three ASCII digits as a number, or nil.
    private static func threeDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard let digit = HTTPSyntax.digit(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> HTTPVersion {
        guard bytes.count == 8, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"),
            bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"),
            bytes[6] == UInt8(ascii: "."), let major = HTTPSyntax.digit(bytes[5]),
            let minor = HTTPSyntax.digit(bytes[7])
        else { throw .badRequest("malformed HTTP version") }
        guard major == 1, minor <= 1 else { throw .unsupportedVersion("HTTP/\(major).\(minor)") }
        return HTTPVersion(major: major, minor: minor)
    }

    mutating func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPParserError) {
        if line.first == 0x20 || line.first == 0x09 {
            throw .badRequest("obsolete line folding in header fields")
        }
        try line.withUnsafeBufferPointer { bytes throws(HTTPParserError) in try parseHeaderLine(bytes) }
    }

    private mutating func parseHeaderLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        let field = try Self.fieldBounds(line)
        guard fieldCount < limits.maxHeaderCount else {
            throw .headersTooLarge("more than \(limits.maxHeaderCount) fields")
        }
        fieldCount += 1
        let name = UnsafeBufferPointer(rebasing: line[..<field.colon])
        let value = UnsafeBufferPointer(rebasing: line[field.valueStart..<field.valueEnd])
        let fieldName = HTTPHeadFacts.FieldName(name)
        facts.add(fieldName, value: value)
        if keepsOnlyFramingFields && kind == .response && !fieldName.isFraming { return }
        headers.setField(at: keptFieldCount, name: name, value: value)
        keptFieldCount += 1
    }

    /// Where the parts of `name: value` are: a token name (no space before the colon), then a value
    /// free of controls, trimmed of spaces and tabs. One pass over the bytes, with no strings made:
    /// every field of every message passes here.
    static func fieldBounds(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> (
        colon: Int, valueStart: Int, valueEnd: Int
    ) {
        var colon = 0
        while colon < line.count && HTTPSyntax.isTokenByte(line[colon]) { colon += 1 }
        guard colon < line.count, line[colon] == UInt8(ascii: ":") else {
            // A byte that may not be in a name, or no colon at all: which one the peer is told.
            if line[colon...].contains(UInt8(ascii: ":")) { throw .badRequest("invalid header field name") }
            throw .badRequest("header field without a name")
        }
        guard colon > 0 else { throw .badRequest("header field without a name") }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
        while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
        for index in start..<end where !HTTPSyntax.isFieldValueByte(line[index]) {
            throw .badRequest("control character in header field value")
        }
        return (colon, start, end)
    }

    /// Hex size, optionally followed by `;extensions`, which are checked and ignored.
    static func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParserError) -> Int {
        let sizePart = line.prefix { $0 != UInt8(ascii: ";") }
        var digits = sizePart[...]
        while let last = digits.last, last == 0x20 || last == 0x09 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 15 else { throw .badRequest("invalid chunk size") }
        var size = 0
        for byte in digits {
            guard let value = HTTPSyntax.hexDigit(byte) else { throw .badRequest("invalid chunk size") }
            size = size << 4 | value
        }
        guard line[sizePart.endIndex...].allSatisfy(HTTPSyntax.isFieldValueByte) else {
            throw .badRequest("control character in chunk extension")
        }
        return size
    }
}

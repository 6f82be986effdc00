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
        // Up to three parts at the first two spaces (the third may hold spaces), found in place:
        // every request and response starts here, so no array of parts is built.
        let firstSpace = line.firstIndex(of: 0x20)
        let secondSpace = firstSpace.flatMap { line[($0 + 1)...].firstIndex(of: 0x20) }
        let first = line[..<(firstSpace ?? line.endIndex)]
        let second = firstSpace.map { line[($0 + 1)..<(secondSpace ?? line.endIndex)] }
        let third = secondSpace.map { line[($0 + 1)...] }
        switch kind {
        case .request:
            guard let second, let third, !first.isEmpty, !second.isEmpty else {
                throw .badRequest("malformed request line")
            }
            guard first.allSatisfy(HTTPSyntax.isTokenByte) else { throw .badRequest("invalid method") }
            // The target must be visible ASCII: spaces, controls and raw non-ASCII are all errors.
            guard second.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .badRequest("invalid request target") }
            let version = try Self.parseVersion(third)
            pendingRequest = HTTPRequestHead(
                method: String(decoding: first, as: UTF8.self),
                target: String(decoding: second, as: UTF8.self),
                version: version)
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
    private static func threeDigits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard let digit = HTTPSyntax.digit(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParserError) -> HTTPVersion {
        let start = bytes.startIndex
        guard bytes.count == 8, bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
            bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
            bytes[start + 4] == UInt8(ascii: "/"), bytes[start + 6] == UInt8(ascii: "."),
            let major = HTTPSyntax.digit(bytes[start + 5]), let minor = HTTPSyntax.digit(bytes[start + 7])
        else { throw .badRequest("malformed HTTP version") }
        guard major == 1, minor <= 1 else { throw .unsupportedVersion("HTTP/\(major).\(minor)") }
        return HTTPVersion(major: major, minor: minor)
    }

    mutating func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPParserError) {
        if line.first == 0x20 || line.first == 0x09 {
            throw .badRequest("obsolete line folding in header fields")
        }
        let field = try Self.fieldParts(line)
        guard fieldCount < limits.maxHeaderCount else {
            throw .headersTooLarge("more than \(limits.maxHeaderCount) fields")
        }
        fieldCount += 1
        if keepsOnlyFramingFields && kind == .response && !Self.isFramingFieldName(field.name) { return }
        // Room for a usual head's fields at once, rather than growing the list 1, 2, 4, 8.
        if headers.count == 0 { headers.reserveCapacity(8) }
        headers.add(String(decoding: field.name, as: UTF8.self), String(decoding: field.value, as: UTF8.self))
    }

    /// Content-Length, Transfer-Encoding or Connection, in any case: the fields that frame a
    /// response and say whether its connection stays open.
    static func isFramingFieldName(_ name: ArraySlice<UInt8>) -> Bool {
        HTTPSyntax.equalsLowercased(name, "content-length") || HTTPSyntax.equalsLowercased(name, "connection")
            || HTTPSyntax.equalsLowercased(name, "transfer-encoding")
    }

    /// `name: value` with a token name (no space before the colon) and a value free of controls,
    /// trimmed of spaces and tabs: the two parts, no strings made.
    static func fieldParts(_ line: ArraySlice<UInt8>) throws(HTTPParserError) -> (
        name: ArraySlice<UInt8>, value: ArraySlice<UInt8>
    ) {
        // Offsets and checks over the raw bytes: every field of every message passes here, and
        // indexing the slice element by element costs several times more.
        let found = line.withUnsafeBufferPointer {
            bytes -> (colon: Int, start: Int, end: Int, nameValid: Bool, valueValid: Bool)? in
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            var start = colon + 1
            var end = bytes.count
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            return (
                colon, start, end, bytes[..<colon].allSatisfy(HTTPSyntax.isTokenByte),
                bytes[start..<end].allSatisfy(HTTPSyntax.isFieldValueByte)
            )
        }
        guard let found, found.colon > 0 else { throw .badRequest("header field without a name") }
        guard found.nameValid else { throw .badRequest("invalid header field name") }
        guard found.valueValid else { throw .badRequest("control character in header field value") }
        let base = line.startIndex
        return (line[base..<(base + found.colon)], line[(base + found.start)..<(base + found.end)])
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

#if canImport(Glibc)
import Glibc
#endif

extension HTTPParser {
    /// Reads as much of a head as the buffer holds, in one pass over its bytes: the start line,
    /// then header lines up to the empty one. The head's event once it is complete, else nil.
    mutating func readHead() throws(HTTPParserError) -> Event? {
        // A second reference to the bytes, so that the parser can change while they are read.
        let storage = buffer
        return try storage.withUnsafeBufferPointer { bytes throws(HTTPParserError) -> Event? in
            while true {
                if case .startLine = state {
                    guard let line = try nextLine(in: bytes, limit: limits.maxStartLineLength, onOverflow: .startLine)
                    else { return nil }
                    if line.isEmpty && headBytes == 0 { continue }  // RFC 9112 2.2: ignore CRLF before a request line
                    headBytes = line.count + 2
                    try parseStartLine(UnsafeBufferPointer(rebasing: bytes[line]))
                    state = .headers
                }
                guard let line = try nextLine(in: bytes, limit: limits.maxHeaderBytes - headBytes, onOverflow: .header)
                else { return nil }
                headBytes += line.count + 2
                if line.isEmpty { return try finishHead() }
                if bytes[line.lowerBound] == 0x20 || bytes[line.lowerBound] == 0x09 {
                    throw .badRequest("obsolete line folding in header fields")
                }
                try parseHeaderLine(UnsafeBufferPointer(rebasing: bytes[line]))
            }
        }
    }

    /// The next CRLF-terminated line without its CRLF, or nil when none is complete yet.
    /// Throws the error of `onOverflow` once more than `limit` bytes are pending without a line
    /// end. The error's text is built only when it is thrown, not for every line.
    mutating func nextLine(limit: Int, onOverflow: LineKind) throws(HTTPParserError) -> ArraySlice<UInt8>? {
        let storage = buffer
        let line = try storage.withUnsafeBufferPointer { bytes throws(HTTPParserError) in
            try nextLine(in: bytes, limit: limit, onOverflow: onOverflow)
        }
        return line.map { storage[$0] }
    }

    /// `nextLine` over the buffer's bytes: where the line is in them.
    private mutating func nextLine(
        in bytes: UnsafeBufferPointer<UInt8>, limit: Int, onOverflow: LineKind
    ) throws(HTTPParserError) -> Range<Int>? {
        let end = bytes.count
        // memchr over the raw bytes instead of indexing them one by one.
        guard let base = bytes.baseAddress, scanIndex < end, let found = memchr(base + scanIndex, 0x0A, end - scanIndex)
        else {
            scanIndex = end
            if end - readIndex > limit + 1 { throw overflow(onOverflow) }
            return nil
        }
        let index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        // A bare LF is rejected: lenient line endings are how requests get smuggled past proxies.
        guard index > readIndex, bytes[index - 1] == 0x0D else { throw .badRequest("line not terminated by CRLF") }
        let line = readIndex..<(index - 1)
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

    private mutating func parseStartLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        facts = HTTPHeadFacts()
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

/// Writes status and request lines and header blocks as bytes.
enum HTTPHeadEncoder {
    static func responseHead(status: Int, headers: HTTPHeaders, into bytes: inout [UInt8]) {
        appendStatusLine(status, to: &bytes)
        appendFields(headers, to: &bytes)
    }

    /// `HTTP/1.1 200 OK\r\n`.
    static func appendStatusLine(_ status: Int, to bytes: inout [UInt8]) {
        bytes.appendUTF8("HTTP/1.1 ")
        bytes.appendDecimal(status)
        bytes.append(0x20)
        bytes.appendUTF8(HTTPStatus.reason(status))
        appendCRLF(to: &bytes)
    }

    static func requestHead(_ head: HTTPRequestHead, into bytes: inout [UInt8]) {
        bytes.appendUTF8(head.method)
        bytes.append(0x20)
        bytes.appendUTF8(head.target)
        bytes.appendUTF8(" HTTP/1.1\r\n")
        appendFields(head.headers, to: &bytes)
    }

    /// Every field, then the blank line that ends the head.
    static func appendFields(_ headers: HTTPHeaders, to bytes: inout [UInt8]) {
        for field in headers.fields {
            bytes.appendUTF8(field.name)
            appendColonSpace(to: &bytes)
            bytes.appendUTF8(field.value)
            appendCRLF(to: &bytes)
        }
        appendCRLF(to: &bytes)
    }

    /// `\r\n`, byte by byte: an array literal here may cost an allocation per call, and heads
    /// and Redis commands end many lines per request.
    @inline(__always)
    static func appendCRLF(to bytes: inout [UInt8]) {
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    /// `: ` between a field's name and value.
    @inline(__always)
    static func appendColonSpace(to bytes: inout [UInt8]) {
        bytes.append(0x3A)
        bytes.append(0x20)
    }

    static func chunkHeader(size: Int) -> [UInt8] {
        var bytes = Array(String(size, radix: 16).utf8)
        appendCRLF(to: &bytes)
        return bytes
    }
}

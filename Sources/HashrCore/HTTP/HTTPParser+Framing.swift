extension HTTPParser {
    /// The head is complete: decide how the body is delimited (RFC 9112 section 6) and emit the head.
    mutating func finishHead() throws(HTTPParserError) -> Event {
        switch kind {
        case .request:
            guard var head = pendingRequest else { throw .badRequest("missing request line") }
            head.headers = headers
            let hosts = headers.count(of: "host")
            if head.version == .http1_1 && hosts != 1 { throw .badRequest("HTTP/1.1 requires exactly one Host") }
            if hosts > 1 { throw .badRequest("more than one Host") }
            try frameRequestBody(version: head.version)
            return .requestHead(head)
        case .response:
            guard var head = pendingResponse else { throw .badRequest("missing status line") }
            head.headers = headers
            try frameResponseBody(status: head.status)
            return .responseHead(head)
        }
    }

    private mutating func frameRequestBody(version: HTTPVersion) throws(HTTPParserError) {
        let hasTransferEncoding = headers.contains("transfer-encoding")
        let contentLength = try Self.contentLength(headers)
        if hasTransferEncoding {
            // Both framings at once is the classic request-smuggling shape; refuse it outright.
            if contentLength != nil { throw .badRequest("both Content-Length and Transfer-Encoding") }
            if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = headers.tokens("transfer-encoding")
            guard codings.last == "chunked" else { throw .badRequest("Transfer-Encoding does not end in chunked") }
            guard codings.count == 1 else { throw .unsupportedTransferEncoding(codings.joined(separator: ", ")) }
            state = .chunkSize
        } else if let length = contentLength {
            guard length <= limits.maxBodyBytes else { throw .payloadTooLarge }
            state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
        } else {
            state = .messageEnd
        }
    }

    private mutating func frameResponseBody(status: Int) throws(HTTPParserError) {
        if nextResponseIsToHEAD || status < 200 || status == 204 || status == 304 {
            state = .messageEnd
            return
        }
        let contentLength = try Self.contentLength(headers)
        if headers.contains("transfer-encoding") {
            if contentLength != nil { throw .badRequest("both Content-Length and Transfer-Encoding") }
            state = headers.tokens("transfer-encoding").last == "chunked" ? .chunkSize : .bodyUntilClose
        } else if let length = contentLength {
            guard length <= limits.maxBodyBytes else { throw .payloadTooLarge }
            state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
        } else {
            state = .bodyUntilClose
        }
    }

    /// The Content-Length, if any. Every value (several fields, or a comma list) must be the same
    /// run of digits; anything else is ambiguous framing.
    static func contentLength(_ headers: HTTPHeaders) throws(HTTPParserError) -> Int? {
        var result: Int?
        for field in headers.fields where field.name.equalsIgnoringASCIICase("content-length") {
            // The usual shape, one run of digits, read without splitting or trimming.
            if let value = Self.plainDecimal(field.value) {
                if let previous = result, previous != value { throw .badRequest("conflicting Content-Length values") }
                result = value
                continue
            }
            for item in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = item.trimmingSpaces()
                guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let value = Int(text)
                else { throw .badRequest("invalid Content-Length") }
                if let previous = result, previous != value { throw .badRequest("conflicting Content-Length values") }
                result = value
            }
        }
        return result
    }

    /// `text` as a number when it is 1 to 15 ASCII digits and nothing else, else nil.
    static func plainDecimal(_ text: String) -> Int? {
        var value = 0
        var count = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39, count < 15 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            count += 1
        }
        return count == 0 ? nil : value
    }
}

extension HTTPParser {
    /// The head is complete: decide how the body is delimited (RFC 9112 section 6) and emit the head.
    mutating func finishHead() throws(HTTPParserError) -> Event {
        switch kind {
        case .request:
            guard var head = pendingRequest.take() else { throw .badRequest("missing request line") }
            headers.removeFields(from: keptFieldCount)
            head.headers = headers
            let hosts = facts.hostCount
            if head.version == .http1_1 && hosts != 1 { throw .badRequest("HTTP/1.1 requires exactly one Host") }
            if hosts > 1 { throw .badRequest("more than one Host") }
            try frameRequestBody(version: head.version)
            return .requestHead(head)
        case .response:
            guard var head = pendingResponse.take() else { throw .badRequest("missing status line") }
            headers.removeFields(from: keptFieldCount)
            head.headers = headers
            try frameResponseBody(status: head.status)
            return .responseHead(head)
        }
    }

    private mutating func frameRequestBody(version: HTTPVersion) throws(HTTPParserError) {
        let contentLength = try framingContentLength()
        if facts.hasTransferEncoding {
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
        let contentLength = try framingContentLength()
        if facts.hasTransferEncoding {
            if contentLength != nil { throw .badRequest("both Content-Length and Transfer-Encoding") }
            state = headers.tokens("transfer-encoding").last == "chunked" ? .chunkSize : .bodyUntilClose
        } else if let length = contentLength {
            guard length <= limits.maxBodyBytes else { throw .payloadTooLarge }
            state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
        } else {
            state = .bodyUntilClose
        }
    }

    /// The Content-Length, if any, or the error its values gave (`HTTPHeadFacts`).
    private func framingContentLength() throws(HTTPParserError) -> Int? {
        if let error = facts.contentLengthError { throw error }
        return facts.contentLength
    }
}

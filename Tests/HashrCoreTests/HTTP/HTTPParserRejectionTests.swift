import Testing

@testable import HashrCore

/// Every input the parser must refuse, each fed at every split point, with the status it maps to.
@Suite struct HTTPParserRejectionTests {
    let feeder = ParserFeeder()

    /// The error the parser stops with on `text`, checked to be the same for every split.
    func rejection(_ text: String, feeder: ParserFeeder? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        -> HTTPParserError?
    {
        let outcome = (feeder ?? self.feeder).outcome(text, sourceLocation: sourceLocation)
        if outcome.error == nil { Issue.record("accepted: \(outcome)", sourceLocation: sourceLocation) }
        return outcome.error
    }

    @Test func bothContentLengthAndTransferEncoding() {
        let error = rejection(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(error == .badRequest("both Content-Length and Transfer-Encoding"))
        #expect(error?.status == 400)
        let reversed = rejection(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n")
        #expect(reversed == .badRequest("both Content-Length and Transfer-Encoding"))
    }

    @Test(arguments: ["abc", "-1", "+5", "1 2", "0x10", "5a", "", " ", "5,", ",5", "1234567890123456", "٣"])
    func nonNumericContentLength(value: String) {
        let error = rejection("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n")
        #expect(error == .badRequest("invalid Content-Length"))
        #expect(error?.status == 400)
    }

    @Test func duplicatedAndDifferentContentLength() {
        let fields = rejection("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        #expect(fields == .badRequest("conflicting Content-Length values"))
        let list = rejection("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!")
        #expect(list == .badRequest("conflicting Content-Length values"))
        #expect(list?.status == 400)
    }

    @Test func obsoleteLineFolding() {
        let space = rejection("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n")
        #expect(space == .badRequest("obsolete line folding in header fields"))
        let tab = rejection("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n")
        #expect(tab == .badRequest("obsolete line folding in header fields"))
        // A fold right after the request line is the same thing.
        let first = rejection("GET / HTTP/1.1\r\n Host: a\r\n\r\n")
        #expect(first == .badRequest("obsolete line folding in header fields"))
    }

    @Test(arguments: ["X\u{01}Name", "X Name", "Host ", "X\u{7F}", "Na(me)", "Na\"me", "X\u{00}", "é"])
    func invalidHeaderNames(name: String) {
        #expect(
            rejection("GET / HTTP/1.1\r\nHost: a\r\n\(name): v\r\n\r\n") == .badRequest("invalid header field name"))
    }

    @Test func headerWithoutNameOrColon() {
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n") == .badRequest("header field without a name"))
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n") == .badRequest("header field without a name"))
    }

    @Test(arguments: ["a\u{00}b", "a\u{01}", "\u{1B}[31m", "a\u{7F}", "a\rb", "a\u{0B}b"])
    func controlBytesInValues(value: String) {
        let error = rejection("GET / HTTP/1.1\r\nHost: a\r\nX-Value: \(value)\r\n\r\n")
        #expect(error == .badRequest("control character in header field value"))
    }

    @Test(arguments: [
        ("GET /\r\n", "malformed request line"),
        ("GET\r\n", "malformed request line"),
        ("GET  / HTTP/1.1\r\n", "malformed request line"),
        (" GET / HTTP/1.1\r\n", "malformed request line"),
        ("G@T / HTTP/1.1\r\n", "invalid method"),
        ("GET /a b HTTP/1.1\r\n", "malformed HTTP version"),
        ("GET / HTTP/1.1 \r\n", "malformed HTTP version"),
        ("GET / http/1.1\r\n", "malformed HTTP version"),
        ("GET / HTTP/1\r\n", "malformed HTTP version"),
        ("GET / HTTP/1.10\r\n", "malformed HTTP version"),
        ("GET / HTTP/a.1\r\n", "malformed HTTP version"),
        ("GET /\u{7F} HTTP/1.1\r\n", "invalid request target"),
        ("GET /caf\u{E9} HTTP/1.1\r\n", "invalid request target"),
        ("GET /\u{01} HTTP/1.1\r\n", "invalid request target"),
        ("GET\t/ HTTP/1.1\r\n", "malformed request line"),
    ])
    func badRequestLines(line: String, reason: String) {
        let error = rejection(line + "Host: a\r\n\r\n")
        #expect(error == .badRequest(reason))
        #expect(error?.status == 400)
    }

    @Test func bareLineFeeds() {
        let reason = HTTPParserError.badRequest("line not terminated by CRLF")
        #expect(rejection("GET / HTTP/1.1\nHost: a\n\n") == reason)
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\n\r\n") == reason)
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\r\n\n") == reason)
        #expect(rejection("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") == reason)
        #expect(
            rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n") == reason)
        #expect(rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\n\r\n") == reason)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"])
    func unsupportedVersions(version: String) {
        let error = rejection("GET / \(version)\r\nHost: a\r\n\r\n")
        #expect(error == .unsupportedVersion(version))
        #expect(error?.status == 505)
    }

    @Test func transferEncodingNotEndingInChunked() {
        #expect(
            rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")
                == .badRequest("Transfer-Encoding does not end in chunked"))
        #expect(
            rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
                == .badRequest("Transfer-Encoding does not end in chunked"))
        #expect(
            rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n")
                == .badRequest("Transfer-Encoding does not end in chunked"))
        #expect(
            rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n")
                == .badRequest("Transfer-Encoding does not end in chunked"))
    }

    @Test func otherCodingsBeforeChunkedAreNotImplemented() {
        let error = rejection("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        #expect(error == .unsupportedTransferEncoding("gzip, chunked"))
        #expect(error?.status == 501)
    }

    @Test func transferEncodingInHTTP10() {
        #expect(
            rejection("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                == .badRequest("Transfer-Encoding in an HTTP/1.0 request"))
    }

    @Test func hostRules() {
        #expect(rejection("GET / HTTP/1.1\r\n\r\n") == .badRequest("HTTP/1.1 requires exactly one Host"))
        #expect(
            rejection("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")
                == .badRequest("HTTP/1.1 requires exactly one Host"))
        #expect(rejection("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == .badRequest("more than one Host"))
    }

    @Test func requestLineOverTheLimit() {
        var feeder = ParserFeeder()
        feeder.limits.maxStartLineLength = 40
        let target = "/" + String(repeating: "a", count: 40 - "GET  HTTP/1.1".utf8.count)
        let error = rejection("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n", feeder: feeder)
        #expect(error == .uriTooLong)
        #expect(error?.status == 414)
        // Without a line end in sight the parser gives up as soon as the limit is passed.
        let endless = rejection("GET /" + String(repeating: "a", count: 200), feeder: feeder)
        #expect(endless == .uriTooLong)
    }

    @Test func headersOverTheByteLimit() {
        var feeder = ParserFeeder()
        feeder.limits.maxHeaderBytes = 64
        let error = rejection(
            "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \(String(repeating: "p", count: 64))\r\n\r\n", feeder: feeder)
        #expect(error == .headersTooLarge("over 64 bytes"))
        #expect(error?.status == 431)
        // Many short lines add up the same way.
        let many = rejection(
            "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "A: b\r\n", count: 20) + "\r\n", feeder: feeder)
        #expect(many == .headersTooLarge("over 64 bytes"))
        // And a line that never ends.
        let endless = rejection("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "p", count: 100), feeder: feeder)
        #expect(endless == .headersTooLarge("over 64 bytes"))
    }

    @Test func tooManyHeaders() {
        var feeder = ParserFeeder()
        feeder.limits.maxHeaderCount = 3
        let error = rejection("GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n", feeder: feeder)
        #expect(error == .headersTooLarge("more than 3 fields"))
        #expect(error?.status == 431)
    }

    @Test func bodyOverTheLimit() {
        var feeder = ParserFeeder()
        feeder.limits.maxBodyBytes = 4
        let declared = rejection("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", feeder: feeder)
        #expect(declared == .payloadTooLarge)
        #expect(declared?.status == 413)
        let oneChunk = rejection(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", feeder: feeder)
        #expect(oneChunk == .payloadTooLarge)
        let chunks = rejection(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n",
            feeder: feeder)
        #expect(chunks == .payloadTooLarge)
    }

    @Test func bodyOverTheLimitIsRefusedBeforeAnyBodyByte() {
        var feeder = ParserFeeder()
        feeder.limits.maxBodyBytes = 4
        let outcome = feeder.outcome("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n")
        #expect(outcome.events.isEmpty)
        #expect(outcome.error == .payloadTooLarge)
    }

    @Test(arguments: ["zz", "", " 5", "5x", "-1", "0x5", "1_0", "+1"])
    func chunkSizeGarbage(size: String) {
        let error = rejection(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n")
        #expect(error == .badRequest("invalid chunk size"))
    }

    @Test func chunkSizeOverflow() {
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        // More digits than any Int holds.
        #expect(rejection(chunked + "10000000000000000\r\nx\r\n0\r\n\r\n") == .badRequest("invalid chunk size"))
        #expect(rejection(chunked + "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n") == .badRequest("invalid chunk size"))
        // Fits, but far over the body limit.
        #expect(rejection(chunked + "fffffffffffffff\r\nx\r\n0\r\n\r\n") == .payloadTooLarge)
        // Leading zeros do not make a line of any length acceptable.
        #expect(
            rejection(chunked + String(repeating: "0", count: 2000) + "1\r\nx\r\n0\r\n\r\n")
                == .badRequest("chunk size line too long"))
    }

    @Test func chunkFramingErrors() {
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(rejection(chunked + "5\r\nhelloXY0\r\n\r\n") == .badRequest("chunk data not followed by CRLF"))
        #expect(
            rejection(chunked + "5;a=\u{01}\r\nhello\r\n0\r\n\r\n")
                == .badRequest("control character in chunk extension"))
        #expect(rejection(chunked + "0\r\nBad Trailer: x\r\n\r\n") == .badRequest("invalid header field name"))
        #expect(
            rejection(chunked + "0\r\nTrailer: \u{01}\r\n\r\n")
                == .badRequest("control character in header field value"))
    }

    @Test func closeInTheMiddleOfARequest() {
        var feeder = ParserFeeder()
        feeder.finishAtEnd = true
        let reason = HTTPParserError.badRequest("connection closed in the middle of a message")
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\r\n", feeder: feeder) == reason)
        #expect(rejection("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel", feeder: feeder) == reason)
        #expect(rejection("GET / HT", feeder: feeder) == reason)
    }

    @Test func anErrorIsSticky() {
        var parser = HTTPParser(kind: .request)
        parser.append("BAD\r\n".bytes)
        #expect(throws: HTTPParserError.badRequest("malformed request line")) { try parser.next() }
        parser.append("GET / HTTP/1.1\r\nHost: a\r\n\r\n".bytes)
        #expect(throws: HTTPParserError.badRequest("malformed request line")) { try parser.next() }
        #expect(throws: HTTPParserError.badRequest("malformed request line")) { try parser.finish() }
    }

    @Test func aBadSecondRequestKeepsTheFirst() {
        let outcome = feeder.outcome(
            "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost: a\r\nX: \u{01}\r\n\r\n")
        #expect(outcome.events == [requestHead("GET", "/ok", .http1_1, [("Host", "a")]), .end])
        #expect(outcome.error == .badRequest("control character in header field value"))
    }

    @Test func everyErrorHasItsStatusAndADescription() {
        let cases: [(HTTPParserError, Int)] = [
            (.badRequest("x"), 400), (.uriTooLong, 414), (.headersTooLarge("x"), 431), (.payloadTooLarge, 413),
            (.unsupportedTransferEncoding("gzip"), 501), (.unsupportedVersion("HTTP/2.0"), 505),
        ]
        for (error, status) in cases {
            #expect(error.status == status)
            #expect(!error.description.isEmpty)
        }
    }
}

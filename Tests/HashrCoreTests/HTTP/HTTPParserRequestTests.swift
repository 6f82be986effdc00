import Testing

@testable import HashrCore

/// Every request feature the parser supports, each input fed at every split point.
@Suite struct HTTPParserRequestTests {
    let feeder = ParserFeeder()

    @Test func requestLineAndHeaders() {
        let outcome = feeder.outcome("GET /api/rate?x=1&y=2 HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("GET", "/api/rate?x=1&y=2", .http1_1, [("Host", "example.test"), ("Accept", "*/*")]), .end,
            ])
        guard case .requestHead(let head)? = outcome.events.first else { return }
        #expect(head.path == "/api/rate")
        #expect(head.keepAlive)
    }

    @Test func headerNamesAreCaseInsensitiveAndMayRepeat() {
        let outcome = feeder.outcome(
            "GET / HTTP/1.1\r\nhost: a\r\nX-Multi: 1\r\nx-multi: 2, 3\r\nACCEPT: \t text/plain \t\r\nX-Empty:\r\n\r\n")
        #expect(outcome.error == nil)
        guard case .requestHead(let head)? = outcome.events.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.headers["HOST"] == "a")
        #expect(head.headers["Accept"] == "text/plain")
        #expect(head.headers.values("X-MULTI") == ["1", "2, 3"])
        #expect(head.headers.tokens("x-Multi") == ["1", "2", "3"])
        #expect(head.headers["x-empty"] == "")
        #expect(head.headers.contains("X-EMPTY"))
        #expect(!head.headers.contains("X-Missing"))
        // Names keep the case they were sent in.
        #expect(head.headers.fields.map(\.name) == ["host", "X-Multi", "x-multi", "ACCEPT", "X-Empty"])
    }

    @Test func methodsAndTargets() {
        let outcome = feeder.outcome(
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nM-SEARCH /%7Euser?q=%20 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("OPTIONS", "*", .http1_1, [("Host", "a")]), .end,
                requestHead("M-SEARCH", "/%7Euser?q=%20", .http1_1, [("Host", "a")]), .end,
            ])
    }

    @Test func contentLengthBody() {
        let outcome = feeder.outcome("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("POST", "/submit", .http1_1, [("Host", "a"), ("Content-Length", "11")]),
                body("hello world"), .end,
            ])
    }

    @Test func zeroContentLengthHasNoBodyEvent() {
        let outcome = feeder.outcome("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        #expect(
            outcome.events == [requestHead("POST", "/", .http1_1, [("Host", "a"), ("Content-Length", "0")]), .end])
    }

    @Test func repeatedEqualContentLengthIsAccepted() {
        let fields = feeder.outcome("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc")
        #expect(fields.error == nil)
        #expect(fields.events.dropFirst() == [body("abc"), .end])
        let list = feeder.outcome("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc")
        #expect(list.error == nil)
        #expect(list.events.dropFirst() == [body("abc"), .end])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() {
        let outcome = feeder.outcome(
            "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n"
                + "1 ; quoted=\"a b\"; flag\r\n \r\n"
                + "A\r\n0123456789\r\n"
                + "0\r\nTrailer-One: x\r\nTrailer-Two: y\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("POST", "/upload", .http1_1, [("Host", "a"), ("Transfer-Encoding", "chunked")]),
                body("hello 0123456789"), .end,
            ])
    }

    @Test func chunkedBodyWithoutTrailersAndMixedCaseCoding() {
        let outcome = feeder.outcome(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.events.dropFirst() == [body("hello world"), .end])
    }

    @Test(
        arguments: [
            ("HTTP/1.1", nil, true),
            ("HTTP/1.1", "close", false),
            ("HTTP/1.1", "Close", false),
            ("HTTP/1.1", "keep-alive", true),
            ("HTTP/1.1", "Keep-Alive, Close", false),
            ("HTTP/1.1", "upgrade", true),
            ("HTTP/1.0", nil, false),
            ("HTTP/1.0", "keep-alive", true),
            ("HTTP/1.0", "KEEP-ALIVE", true),
            ("HTTP/1.0", "close", false),
            ("HTTP/1.0", "keep-alive, close", false),
        ] as [(String, String?, Bool)])
    func keepAliveRules(version: String, connection: String?, expected: Bool) {
        let field = connection.map { "Connection: \($0)\r\n" } ?? ""
        let outcome = feeder.outcome("GET / \(version)\r\nHost: a\r\n\(field)\r\n")
        guard case .requestHead(let head)? = outcome.events.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.keepAlive == expected)
    }

    @Test func http10NeedsNoHost() {
        let outcome = feeder.outcome("GET / HTTP/1.0\r\n\r\n")
        #expect(outcome.events == [requestHead("GET", "/", .http1_0, []), .end])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let outcome = feeder.outcome(
            "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
                + "GET /four HTTP/1.0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("GET", "/one", .http1_1, [("Host", "a")]), .end,
                requestHead("POST", "/two", .http1_1, [("Host", "a"), ("Content-Length", "3")]), body("abc"), .end,
                requestHead("POST", "/three", .http1_1, [("Host", "a"), ("Transfer-Encoding", "chunked")]), body("de"),
                .end,
                requestHead("GET", "/four", .http1_0, []), .end,
            ])
    }

    @Test func emptyLinesBeforeARequestAreIgnored() {
        let outcome = feeder.outcome(
            "\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                requestHead("GET", "/a", .http1_1, [("Host", "a")]), .end,
                requestHead("GET", "/b", .http1_1, [("Host", "a")]), .end,
            ])
    }

    @Test func obsTextIsAllowedInValues() {
        let outcome = feeder.outcome(
            [UInt8]("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf".utf8) + [0xC3, 0xA9] + "\r\n\r\n".bytes)
        #expect(outcome.error == nil)
        guard case .requestHead(let head)? = outcome.events.first else { return }
        #expect(head.headers["x-name"] == "café")
    }

    @Test func requestLineExactlyAtTheLimitIsAccepted() {
        var feeder = ParserFeeder()
        feeder.limits.maxStartLineLength = 40
        let target = "/" + String(repeating: "a", count: 40 - "GET  HTTP/1.1".utf8.count - 1)
        let line = "GET \(target) HTTP/1.1"
        #expect(line.utf8.count == 40)
        #expect(feeder.outcome("\(line)\r\nHost: a\r\n\r\n").error == nil)
    }

    @Test func headersExactlyAtTheLimitAreAccepted() {
        var feeder = ParserFeeder()
        let head = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: 0123456789\r\n"
        feeder.limits.maxHeaderBytes = head.utf8.count
        #expect(feeder.outcome(head + "\r\n").error == nil)
    }

    @Test func headerCountExactlyAtTheLimitIsAccepted() {
        var feeder = ParserFeeder()
        feeder.limits.maxHeaderCount = 3
        #expect(feeder.outcome("GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n").error == nil)
    }

    @Test func bodyExactlyAtTheLimitIsAccepted() {
        var feeder = ParserFeeder()
        feeder.limits.maxBodyBytes = 4
        #expect(feeder.outcome("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd").error == nil)
        #expect(
            feeder.outcome(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"
            ).error == nil)
    }

    @Test func messageBoundaryAndBufferedBytes() throws {
        var parser = HTTPParser(kind: .request)
        #expect(parser.isAtMessageBoundary)
        parser.append("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next".bytes)
        #expect(try parser.next() != nil)
        #expect(!parser.isAtMessageBoundary)
        #expect(try parser.next() == .end)
        #expect(parser.isAtMessageBoundary)
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == "GET /next".utf8.count)
    }

    @Test func finishBetweenRequestsIsClean() throws {
        var parser = HTTPParser(kind: .request)
        parser.append("GET / HTTP/1.1\r\nHost: a\r\n\r\n".bytes)
        while try parser.next() != nil {}
        #expect(try parser.finish() == nil)
    }

    @Test func aLongStreamOfRequestsDoesNotGrowTheBuffer() throws {
        var parser = HTTPParser(kind: .request)
        let request = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello".bytes
        let stream = Array((0..<5_000).map { _ in request }.joined())
        var ends = 0
        // Pieces that never line up with requests, so part of one is always left over.
        for start in stride(from: 0, to: stream.count, by: 1000) {
            parser.append(stream[start..<min(start + 1000, stream.count)])
            while let event = try parser.next() { if event == .end { ends += 1 } }
        }
        #expect(ends == 5_000)
        #expect(parser.buffer.capacity < 64 * 1024)
    }
}

import Testing

@testable import HashrCore

/// The response side of the parser, which the HTTP client and the tests' own client use.
@Suite struct HTTPParserResponseTests {
    let feeder = ParserFeeder(kind: .response)

    func responseHead(_ status: Int, _ reason: String, _ fields: [(String, String)], _ version: HTTPVersion = .http1_1)
        -> HTTPParser.Event
    {
        .responseHead(HTTPResponseHead(version: version, status: status, reason: reason, headers: HTTPHeaders(fields)))
    }

    @Test func contentLengthResponse() {
        let outcome = feeder.outcome("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        #expect(outcome.error == nil)
        #expect(outcome.events == [responseHead(200, "OK", [("Content-Length", "5")]), body("hello"), .end])
    }

    @Test func reasonPhrasesMayHaveSpacesOrBeMissing() {
        let outcome = feeder.outcome(
            "HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")
        #expect(
            outcome.events == [
                responseHead(404, "Not Found Here", [("Content-Length", "0")]), .end,
                responseHead(200, "", [("Content-Length", "0")]), .end,
            ])
    }

    @Test func chunkedResponse() {
        let outcome = feeder.outcome(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.events == [responseHead(200, "OK", [("Transfer-Encoding", "chunked")]), body("abcde"), .end])
    }

    @Test func headResponseHasNoBodyDespiteContentLength() {
        var feeder = self.feeder
        feeder.answersHEAD = true
        let outcome = feeder.outcome(
            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        // Only the first response answers HEAD; the second has its body.
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                responseHead(200, "OK", [("Content-Length", "1234")]), .end,
                responseHead(200, "OK", [("Content-Length", "2")]), body("ok"), .end,
            ])
    }

    @Test(arguments: [204, 304, 100, 101, 199])
    func statusesWithoutBody(status: Int) {
        let outcome = feeder.outcome("HTTP/1.1 \(status) X\r\nContent-Length: 10\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.events == [responseHead(status, "X", [("Content-Length", "10")]), .end])
    }

    @Test func interimResponseThenFinalOne() {
        let outcome = feeder.outcome("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx")
        #expect(
            outcome.events == [
                responseHead(100, "Continue", []), .end, responseHead(201, "Created", [("Content-Length", "1")]),
                body("x"), .end,
            ])
    }

    @Test func bodyUntilClose() {
        var feeder = self.feeder
        feeder.finishAtEnd = true
        let outcome = feeder.outcome("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nuntil close")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                responseHead(200, "OK", [("Content-Type", "text/plain")], .http1_0), body("all of this\r\nuntil close"),
                .end,
            ])
        let empty = feeder.outcome("HTTP/1.1 200 OK\r\n\r\n")
        #expect(empty.events == [responseHead(200, "OK", []), .end])
    }

    @Test func transferEncodingOtherThanChunkedReadsUntilClose() {
        var feeder = self.feeder
        feeder.finishAtEnd = true
        let outcome = feeder.outcome("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw")
        #expect(outcome.events.dropFirst() == [body("raw"), .end])
    }

    @Test func bodyUntilCloseIsLimited() {
        var feeder = self.feeder
        feeder.limits.maxBodyBytes = 4
        feeder.finishAtEnd = true
        // Such a body can only be cut off once it is too long, so how much of it came out before the
        // error depends on the split; never more than the limit, though.
        let bytes = "HTTP/1.1 200 OK\r\n\r\nhello".bytes
        for cut in 0..<bytes.count {
            let outcome = feeder.feed(bytes, cuts: [cut])
            #expect(outcome.error == .payloadTooLarge)
            let bodyBytes = outcome.events.reduce(0) { total, event in
                if case .body(let piece) = event { total + piece.count } else { total }
            }
            #expect(bodyBytes <= 4)
        }
    }

    @Test func finishAfterBodyUntilCloseLeavesACleanParser() throws {
        var parser = HTTPParser(kind: .response)
        parser.append("HTTP/1.1 200 OK\r\n\r\nabc".bytes)
        while try parser.next() != nil {}
        #expect(try parser.finish() == .end)
        #expect(parser.isAtMessageBoundary)
        #expect(try parser.finish() == nil)
    }

    @Test(arguments: [(nil, true), ("close", false)] as [(String?, Bool)])
    func responseKeepAlive(connection: String?, expected: Bool) {
        let field = connection.map { "Connection: \($0)\r\n" } ?? ""
        let outcome = feeder.outcome("HTTP/1.1 200 OK\r\n\(field)Content-Length: 0\r\n\r\n")
        guard case .responseHead(let head)? = outcome.events.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.keepAlive == expected)
    }

    @Test(arguments: [
        ("HTTP/1.1 20 OK\r\n\r\n", HTTPParserError.badRequest("malformed status code")),
        ("HTTP/1.1 2000 OK\r\n\r\n", .badRequest("malformed status code")),
        ("HTTP/1.1 099 OK\r\n\r\n", .badRequest("malformed status code")),
        ("HTTP/1.1 abc OK\r\n\r\n", .badRequest("malformed status code")),
        ("HTTP/1.1\r\n\r\n", .badRequest("malformed status line")),
        ("HTTX/1.1 200 OK\r\n\r\n", .badRequest("malformed HTTP version")),
        ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion("HTTP/2.0")),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            .badRequest("both Content-Length and Transfer-Encoding")
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            .badRequest("conflicting Content-Length values")
        ),
        ("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", .badRequest("line not terminated by CRLF")),
    ])
    func badResponses(text: String, expected: HTTPParserError) {
        #expect(feeder.outcome(text).error == expected)
    }

    @Test func statusLineOverTheLimit() {
        var feeder = self.feeder
        feeder.limits.maxStartLineLength = 20
        #expect(
            feeder.outcome("HTTP/1.1 200 " + String(repeating: "k", count: 30) + "\r\n\r\n").error
                == .badRequest("status line too long"))
    }

    @Test func closeInTheMiddleOfAResponse() {
        var feeder = self.feeder
        feeder.finishAtEnd = true
        #expect(
            feeder.outcome("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel").error
                == .badRequest("connection closed in the middle of a message"))
    }
}

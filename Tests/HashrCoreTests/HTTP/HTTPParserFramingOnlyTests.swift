import Testing

@testable import HashrCore

/// A response parser that keeps only the framing fields (the frontend's generator reads only the
/// status): the same framing and checks, fewer strings.
@Suite struct HTTPParserFramingOnlyTests {
    var feeder: ParserFeeder {
        var feeder = ParserFeeder(kind: .response)
        feeder.keepsOnlyFramingFields = true
        return feeder
    }

    func responseHead(_ status: Int, _ fields: [(String, String)]) -> HTTPParser.Event {
        .responseHead(HTTPResponseHead(version: .http1_1, status: status, reason: "OK", headers: HTTPHeaders(fields)))
    }

    @Test func onlyFramingFieldsAreKeptInAnyCase() {
        let outcome = feeder.outcome(
            "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-LENGTH: 5\r\nContent-Type: text/plain\r\nCONNECTION: keep-alive\r\n"
                + "X-Frame-Options: DENY\r\n\r\nhello")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                responseHead(200, [("content-LENGTH", "5"), ("CONNECTION", "keep-alive")]),
                .body(Array("hello".utf8)), .end,
            ])
    }

    @Test func chunkedAndClosingResponsesFrameAsUsual() {
        let outcome = feeder.outcome(
            "HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "HTTP/1.1 503 OK\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(
            outcome.events == [
                responseHead(200, [("Transfer-Encoding", "chunked")]), .body(Array("abc".utf8)), .end,
                responseHead(503, [("Content-Length", "0"), ("Connection", "close")]), .end,
            ])
        guard case .responseHead(let head) = outcome.events.last(where: { if case .responseHead = $0 { true } else { false } })
        else { return }
        #expect(!head.keepAlive)
    }

    @Test func droppedFieldsAreStillCheckedAndCounted() {
        #expect(feeder.outcome("HTTP/1.1 200 OK\r\nX-Bad: a\u{1}b\r\nContent-Length: 0\r\n\r\n").error != nil)
        #expect(feeder.outcome("HTTP/1.1 200 OK\r\nBad Name: v\r\nContent-Length: 0\r\n\r\n").error != nil)
        var limited = feeder
        limited.limits.maxHeaderCount = 2
        let outcome = limited.outcome("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n")
        #expect(outcome.error == .headersTooLarge("more than 2 fields"))
    }
}

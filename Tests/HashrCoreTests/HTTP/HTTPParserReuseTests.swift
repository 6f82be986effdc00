import Testing

@testable import HashrCore

/// A parser writes each head's fields over the previous message's and takes their strings again
/// where the bytes repeat: no head ever shows another's fields, and one already returned never changes.
@Suite struct HTTPParserReuseTests {
    /// The heads of `messages`, fed one after another to one parser, each taken as it comes.
    func heads(_ messages: [String], kind: HTTPParser.Kind = .request, framingOnly: Bool = false) throws
        -> [HTTPParser.Event]
    {
        var parser = HTTPParser(kind: kind)
        parser.keepsOnlyFramingFields = framingOnly
        var heads: [HTTPParser.Event] = []
        for message in messages {
            parser.append(Array(message.utf8))
            while let event = try parser.next() {
                if case .body = event { continue }
                if case .end = event { continue }
                heads.append(event)
            }
        }
        return heads
    }

    @Test func fewerMoreAndDifferentFieldsFromOneMessageToTheNext() throws {
        let heads = try heads([
            "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nUser-Agent: test/1.0\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST /b HTTP/1.1\r\nHost: h\r\nAccept: text/plain\r\nContent-Length: 2\r\nX-Four: 4\r\n\r\nhi",
            "POST /b HTTP/1.1\r\nhost: h\r\nAccept: text/plain\r\nContent-Length: 2\r\nX-Four: 4\r\n\r\nhi",
            "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
        ])
        #expect(
            heads == [
                requestHead("GET", "/a", .http1_1, [("Host", "h"), ("Accept", "*/*"), ("User-Agent", "test/1.0")]),
                requestHead("GET", "/a", .http1_1, [("Host", "h")]),
                requestHead(
                    "POST", "/b", .http1_1,
                    [("Host", "h"), ("Accept", "text/plain"), ("Content-Length", "2"), ("X-Four", "4")]),
                requestHead(
                    "POST", "/b", .http1_1,
                    [("host", "h"), ("Accept", "text/plain"), ("Content-Length", "2"), ("X-Four", "4")]),
                requestHead("GET", "/a", .http1_1, [("Host", "h"), ("Accept", "*/*")]),
            ])
    }

    @Test func aHeadKeptByItsReaderDoesNotChangeWhenTheNextIsParsed() throws {
        var parser = HTTPParser(kind: .request)
        parser.append(Array("GET /first HTTP/1.1\r\nHost: one\r\nX-A: a\r\n\r\n".utf8))
        let first = try parser.next()
        #expect(try parser.next() == .end)
        parser.append(Array("GET /second HTTP/1.1\r\nHost: two\r\n\r\n".utf8))
        let second = try parser.next()
        #expect(first == requestHead("GET", "/first", .http1_1, [("Host", "one"), ("X-A", "a")]))
        #expect(second == requestHead("GET", "/second", .http1_1, [("Host", "two")]))
    }

    @Test func repeatedBytesGiveTheSameStringsBack() throws {
        let message = "POST /a/long/enough/target HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n\r\n"
        let heads = try heads([message, message])
        guard case .requestHead(let first)? = heads.first, case .requestHead(let second)? = heads.last else {
            Issue.record("no heads: \(heads)")
            return
        }
        // Strings over 15 bytes live in storage of their own: the same storage is the same string.
        #expect(Self.storage(first.target) == Self.storage(second.target))
        #expect(Self.storage(first.headers["content-type"]!) == Self.storage(second.headers["content-type"]!))
    }

    /// Only bytes equal to ones already checked skip the checks: a field that differs in one byte
    /// from the previous message's is checked in full.
    @Test(arguments: [
        ("X-A: o\u{1}k", HTTPParserError.badRequest("control character in header field value")),
        ("X A: ok", .badRequest("invalid header field name")),
        ("X-A : ok", .badRequest("invalid header field name")),
        ("X-A: ok\u{7F}", .badRequest("control character in header field value")),
        ("X-\u{1}: ok", .badRequest("invalid header field name")),
        ("X-A ok", .badRequest("header field without a name")),
        (": ok", .badRequest("header field without a name")),
    ])
    func aChangedFieldIsCheckedAgain(field: String, error: HTTPParserError) throws {
        var parser = HTTPParser(kind: .request)
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\nX-A: ok\r\n\r\n".utf8))
        #expect(try parser.next() != nil)
        #expect(try parser.next() == .end)
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\(field)\r\n\r\n".utf8))
        #expect(throws: error) { try parser.next() }
    }

    @Test func invalidUTF8IsRepairedTheSameWayWhenItRepeats() throws {
        var parser = HTTPParser(kind: .request)
        let message: [UInt8] =
            Array("GET / HTTP/1.1\r\nHost: h\r\nX-Bytes: a".utf8) + [0xFF, 0xC3] + Array("\r\n\r\n".utf8)
        parser.append(message)
        let first = try parser.next()
        #expect(try parser.next() == .end)
        parser.append(message)
        let second = try parser.next()
        #expect(first == second)
        #expect(first == requestHead("GET", "/", .http1_1, [("Host", "h"), ("X-Bytes", "a\u{FFFD}\u{FFFD}")]))
    }

    @Test func aFramingOnlyParserReusesWhatItKeeps() throws {
        let heads = try heads(
            [
                "HTTP/1.1 200 OK\r\nDate: 1\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi",
                "HTTP/1.1 200 OK\r\nDate: 2\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
            ], kind: .response, framingOnly: true)
        func head(_ fields: [(String, String)]) -> HTTPParser.Event {
            .responseHead(HTTPResponseHead(version: .http1_1, status: 200, reason: "OK", headers: HTTPHeaders(fields)))
        }
        #expect(
            heads == [
                head([("Content-Length", "2"), ("Connection", "keep-alive")]), head([("Content-Length", "3")]),
                head([("Connection", "close"), ("Content-Length", "3")]),
            ])
    }

    /// Where a string's UTF-8 is stored.
    static func storage(_ string: String) -> UnsafeRawPointer? {
        string.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }
}

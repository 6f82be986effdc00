import Testing

@testable import HashrCore

/// The facts the parser gathers field by field agree with a rescan of the fields, which is what the
/// parser and the server did before, for odd heads: repeated, mixed-case, comma lists, empty values,
/// names one letter off the ones that count.
@Suite struct HTTPHeadFactsTests {
    static let heads: [[String]] = [
        [],
        ["Host: a"], ["host: a", "HOST: b"], ["Hoss: a"], ["Hos: a", "Hostt: b"], ["X-Host: a"], ["Host:"],
        ["Connection: close"], ["CONNECTION: Close"], ["Connection: keep-alive"], ["connection: Keep-Alive"],
        ["Connection: upgrade, close"], ["Connection: ,, close ,"], ["Connection: \tclose\t, keep-alive"],
        ["Connection: closed"], ["Connection: clos"], ["Connection: close-ish, keep-alive-ish"], ["Connection:"],
        ["Connection: a", "connection: close"], ["Connection: keep-alive", "Connection: close"],
        ["Connectiom: close"], ["Proxy-Connection: close"], ["Connection: c l o s e"], ["Connection: \u{FF}close"],
        ["Expect: 100-continue"], ["expect: 100-CONTINUE"], ["Expect: 100-continue, x"], ["Expect:"],
        ["Expect: x", "Expect: 100-continue"], ["Expect: 100-continue", "Expect: x"], ["Expecx: 100-continue"],
        ["Expect: 100-continuE"], ["Expect: 100-continue\u{FF}"],
        ["Content-Length: 5"], ["content-LENGTH: 5, 5"], ["Content-Length: 5", "CONTENT-LENGTH: 005"],
        ["Content-Length: 5, 6"], ["Content-Length: 5", "Content-Length: 6"], ["Content-Length:"],
        ["Content-Length: ,"], ["Content-Length: 5,"], ["Content-Length: 1 2"],
        ["Content-Length: abc", "Content-Length: 5"], ["Content-Length: 5", "Content-Length: abc"],
        ["Content-Length: 5, 6, abc"], ["Content-Length: 5, abc, 6"], ["Content-Length: 123456789012345"],
        ["Content-Length: 1234567890123456"], ["Content-Length: \t7 \t,7"], ["Content-Length: +5"],
        ["Content-Length: \u{FF}5"], ["Content-Lengtx: 5"], ["Content-Length-X: 5"],
        ["Transfer-Encoding: chunked"], ["transfer-encoding:"], ["TRANSFER-ENCODING: gzip, chunked"],
        ["Transfer-Encodinh: chunked"], ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
        ["Host: a", "Content-Length: 3", "Connection: close", "Expect: 100-continue", "Transfer-Encoding: x"],
    ]

    /// The facts gathered from `lines`, and the fields they were gathered from.
    func gather(_ lines: [String], kind: HTTPParser.Kind = .request) throws -> (HTTPHeadFacts, HTTPHeaders) {
        var parser = HTTPParser(kind: kind)
        for line in lines { try Self.add(line, to: &parser) }
        return (parser.facts, parser.headers)
    }

    @Test(arguments: heads)
    func factsAgreeWithARescan(lines: [String]) throws {
        let (facts, headers) = try gather(lines)
        #expect(headers.count == lines.count)
        #expect(facts.hostCount == headers.count(of: "host"))
        #expect(facts.hasTransferEncoding == headers.contains("transfer-encoding"))
        #expect(facts.connectionClose == headers.hasToken("connection", "close"))
        #expect(facts.connectionKeepAlive == headers.hasToken("connection", "keep-alive"))
        #expect(facts.expectsContinue == (headers["expect"]?.lowercased() == "100-continue"))
        for version in [HTTPVersion.http1_0, .http1_1] {
            #expect(facts.keepAlive(version: version) == headers.keepAlive(version: version))
        }
        switch Self.rescannedContentLength(headers) {
        case .success(let length):
            #expect(facts.contentLengthError == nil)
            #expect(facts.contentLength == length)
        case .failure(let error):
            #expect(facts.contentLengthError == error)
        }
    }

    @Test func aResponseParserGathersTheSameFactsForFieldsItDrops() throws {
        var parser = HTTPParser(kind: .response)
        parser.keepsOnlyFramingFields = true
        for line in ["Date: x", "connection: keep-alive, close", "Expect: 100-continue", "Content-Length: 4"] {
            try Self.add(line, to: &parser)
        }
        #expect(parser.headers.fields.map(\.name) == ["connection", "Content-Length"])
        #expect(parser.facts.connectionClose && parser.facts.connectionKeepAlive && parser.facts.expectsContinue)
        #expect(parser.facts.contentLength == 4)
    }

    @Test func aNewStartLineStartsNewFacts() throws {
        var parser = HTTPParser(kind: .request)
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(try parser.next() != nil)
        #expect(parser.facts.connectionClose && parser.facts.hostCount == 1 && parser.facts.contentLength == 0)
        parser.append(Array("GET / HTTP/1.0\r\n\r\n".utf8))
        #expect(try parser.next() == .end)
        guard case .requestHead? = try parser.next() else {
            Issue.record("no second head")
            return
        }
        #expect(parser.facts == HTTPHeadFacts())
    }

    static func add(_ line: String, to parser: inout HTTPParser) throws {
        try Array(line.utf8).withUnsafeBufferPointer { bytes throws(HTTPParserError) in
            try parser.parseHeaderLine(bytes)
        }
    }

    /// The Content-Length as the parser read it before it gathered facts: from the fields' strings.
    static func rescannedContentLength(_ headers: HTTPHeaders) -> Result<Int?, HTTPParserError> {
        var result: Int?
        for value in headers.values("content-length") {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = item.trimmingSpaces()
                guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let length = Int(text)
                else { return .failure(.badRequest("invalid Content-Length")) }
                if let previous = result, previous != length {
                    return .failure(.badRequest("conflicting Content-Length values"))
                }
                result = length
            }
        }
        return .success(result)
    }
}

import Testing

@testable import HashrCore

/// The prepared head (status line, `Date` field and the server's fields laid out once) must write
/// the bytes the general encoder writes, for every configuration, odd ones included.
@Suite struct HTTPResponseHeadCacheTests {
    static let handlerHeaders = [
        HTTPHeaders(),
        HTTPHeaders([("Content-Type", "application/json")]),
        HTTPHeaders([
            ("content-length", "99"), ("X-A", "1"), ("Connection", "upgrade"), ("X-Frame-Options", "SAMEORIGIN"),
        ]),
        HTTPHeaders([("Date", "yesterday"), ("Content-Length", "1"), ("Content-Length", "2")]),
        HTTPHeaders([("CONNECTION", "keep-alive"), ("x-frame-options", "x"), ("Access-Control-Allow-Origin", "mine")]),
    ]
    static let defaults = [
        HTTPHeaders(),
        HTTPHeaders([("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]),
        HTTPHeaders([
            ("X-Frame-Options", "DENY"), ("x-frame-options", "again"), ("Content-Length", "5"), ("Date", "d"),
            ("Connection", "x"),
        ]),
    ]
    static let added = [
        HTTPHeaders(), HTTPHeaders([("Access-Control-Allow-Origin", "*")]),
        HTTPHeaders([("Connection", "odd"), ("Content-Length", "7")]),
    ]

    @Test(arguments: defaults.indices, added.indices)
    func writesWhatTheGeneralEncoderWrites(defaultsIndex: Int, addedIndex: Int) {
        let cache = HTTPResponseHeadCache(defaults: Self.defaults[defaultsIndex], added: Self.added[addedIndex])
        // Statuses in an order that changes the remembered head, and back; the second with them,
        // so that the `Date` part is laid out again.
        for status in [200, 200, 404, 200, 204, 599] {
            let second = UInt64(status % 7)
            for headers in Self.handlerHeaders {
                for length in [nil, 0, 7, 44, 1234, 1_000_000] as [Int?] {
                    for connection in [nil, "close", "keep-alive"] as [String?] {
                        var prepared: [UInt8] = [0x41]
                        cache.appendHead(
                            status: status, headers: headers, contentLength: length, connection: connection,
                            second: second,
                            into: &prepared)
                        var general: [UInt8] = [0x41]
                        HTTPHeadEncoder.responseHead(
                            status: status, headers: headers,
                            adding: cache.fields(contentLength: length, connection: connection, second: second),
                            into: &general)
                        #expect(
                            String(decoding: prepared, as: UTF8.self) == String(decoding: general, as: UTF8.self),
                            "status \(status), \(headers), length \(String(describing: length)), \(String(describing: connection))"
                        )
                    }
                }
            }
        }
    }

    @Test func theDateFieldIsTheFormattedDate() {
        let cache = HTTPResponseHeadCache(defaults: HTTPHeaders(), added: HTTPHeaders())
        var bytes: [UInt8] = []
        cache.appendHead(
            status: 200, headers: HTTPHeaders(), contentLength: 0, connection: nil, second: 1, into: &bytes)
        let text = cache.dateText(second: 1)
        #expect(text.hasSuffix(" GMT") && text.utf8.count == 29)
        #expect(
            String(decoding: bytes, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: \(text)\r\n\r\n")
    }
}

import Testing

@testable import HashrCore

/// The answer head written straight from the handler's and the server's fields must say what the
/// header list built field by field said: same fields, same order.
@Suite struct HTTPHeadEncoderResponseTests {
    /// The head as the server built it before, through an `HTTPHeaders` copy.
    func reference(status: Int, headers: HTTPHeaders, fields: HTTPHeadEncoder.ResponseFields) -> String {
        var headers = headers
        if let length = fields.contentLength { headers.replace("Content-Length", String(length)) }
        headers.add("Date", fields.date)
        for field in fields.defaults where !headers.contains(field.name) { headers.add(field.name, field.value) }
        for field in fields.added { headers.add(field.name, field.value) }
        if let connection = fields.connection { headers.replace("Connection", connection) }
        var bytes: [UInt8] = []
        HTTPHeadEncoder.responseHead(status: status, headers: headers, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func direct(status: Int, headers: HTTPHeaders, fields: HTTPHeadEncoder.ResponseFields) -> String {
        var bytes: [UInt8] = []
        HTTPHeadEncoder.responseHead(status: status, headers: headers, adding: fields, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func matchesTheFieldByFieldHead() {
        let handler = [
            HTTPHeaders(),
            HTTPHeaders([("Content-Type", "application/json")]),
            HTTPHeaders([("content-length", "99"), ("X-A", "1"), ("Connection", "upgrade"), ("X-Frame-Options", "SAMEORIGIN")]),
            HTTPHeaders([("Date", "yesterday"), ("Content-Length", "1"), ("Content-Length", "2")]),
        ]
        let defaults = [
            HTTPHeaders(),
            HTTPHeaders([("X-Frame-Options", "DENY"), ("x-frame-options", "again"), ("Content-Length", "5"), ("Date", "d"), ("Connection", "x")]),
        ]
        let added = [HTTPHeaders(), HTTPHeaders([("Access-Control-Allow-Origin", "*")])]
        var cases = 0
        for headers in handler {
            for defaults in defaults {
                for added in added {
                    for length in [nil, 0, 44] as [Int?] {
                        for connection in [nil, "close", "keep-alive"] as [String?] {
                            let fields = HTTPHeadEncoder.ResponseFields(
                                contentLength: length, date: "Thu, 03 Dec 2026 10:00:00 GMT", defaults: defaults, added: added,
                                connection: connection)
                            #expect(
                                direct(status: 200, headers: headers, fields: fields)
                                    == reference(status: 200, headers: headers, fields: fields))
                            cases += 1
                        }
                    }
                }
            }
        }
        #expect(cases == 144)
    }

    @Test func aTypicalAnswer() {
        let fields = HTTPHeadEncoder.ResponseFields(
            contentLength: 2, date: "D", defaults: HTTPHeaders(), added: HTTPHeaders([("Access-Control-Allow-Origin", "*")]),
            connection: nil)
        #expect(
            direct(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), fields: fields)
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nDate: D\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
    }
}

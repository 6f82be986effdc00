import Testing

@testable import HashrCore

/// The bytes a request goes out as, with its head built each time or encoded once.
@Suite struct HTTPClientRequestEncodingTests {
    let endpoint = HTTPEndpoint(host: "127.0.0.1", port: 8080, basePath: "")

    func text(_ request: HTTPClientRequest) -> String { String(decoding: request.encoded(), as: UTF8.self) }

    @Test func aHeadEncodedOnceGivesTheSameBytesForEveryBody() {
        var request = HTTPClientRequest(
            method: "POST", endpoint: endpoint, path: "/", headers: HTTPHeaders([("Content-Type", "application/json")]))
        var template = request
        template.encodeHeadOnce()
        for body in ["", "{\"str\": \"a\"}", String(repeating: "x", count: 1000)] {
            request.body = Array(body.utf8)
            var copy = template
            copy.body = Array(body.utf8)
            #expect(text(copy) == text(request))
            #expect(
                text(copy)
                    == "POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
    }

    @Test func changingTheHeadDropsWhatWasEncoded() {
        var request = HTTPClientRequest(method: "GET", endpoint: endpoint, path: "/a")
        request.encodeHeadOnce()
        #expect(text(request) == "GET /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
        request.path = "/b"
        #expect(text(request) == "GET /b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
        request.encodeHeadOnce()
        request.headers.add("Connection", "close")
        #expect(request.asksToClose)
        #expect(text(request) == "GET /b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
        request.encodeHeadOnce()
        #expect(request.asksToClose)
        request.method = "DELETE"
        #expect(text(request) == "DELETE /b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
    }

    @Test func theCallersHostAndContentLengthAreReplaced() {
        var request = HTTPClientRequest(
            method: "PUT", endpoint: endpoint, path: "/x",
            headers: HTTPHeaders([("host", "elsewhere"), ("content-length", "99")]), body: Array("hi".utf8))
        request.encodeHeadOnce()
        #expect(text(request) == "PUT /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 2\r\n\r\nhi")
    }
}

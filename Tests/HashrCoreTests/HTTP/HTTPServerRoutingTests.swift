import Glibc
import Testing

@testable import HashrCore

/// Routing by path and method, HEAD, and how responses are framed.
@Suite struct HTTPServerRoutingTests {
    @Test func routesAnswerWithContentLengthAndDate() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(get("/hello?lang=en"))
        #expect(response.status == 200)
        #expect(response.head.reason == "OK")
        #expect(response.text == "hello\n")
        #expect(response.headers["Content-Length"] == "6")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
        #expect(response.headers["Connection"] == nil)
        client.close()
        #expect(await server.stop() == 0)
    }

    /// `Date` is the wall clock's second when the answer was written (a prepared field must not lag
    /// behind it): checked over a second and a half of answers, each between the seconds read
    /// before and after its exchange.
    @Test func theDateIsTheWallClocksSecond() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        for _ in 0..<30 {
            let before = time(nil)
            let response = try await client.exchange(get("/hello"))
            let after = time(nil)
            let text = try #require(response.headers["Date"])
            let shown = try #require(Self.seconds(httpDate: text), "\(text)")
            #expect(before <= shown && shown <= after, "\(text): not between \(before) and \(after)")
            try await Task.sleep(for: .milliseconds(50))
        }
        client.close()
        #expect(await server.stop() == 0)
    }

    /// Seconds since 1970 of an IMF-fixdate (`Thu, 03 Dec 2026 23:45:12 GMT`).
    static func seconds(httpDate text: String) -> time_t? {
        let words = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard words.count == 6, words[5] == "GMT", let month = months.firstIndex(of: String(words[2])),
            let day = Int32(words[1]), let year = Int32(words[3])
        else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, Int32(month), day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (clock[0], clock[1], clock[2])
        return timegm(&parts)
    }

    @Test func unknownPathIs404WithAJSONError() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(get("/nowhere"))
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.text == "{\"error\":\"no route for /nowhere\"}\n")
        // A 404 is an ordinary answer: the connection stays usable.
        #expect(try await client.exchange(get("/hello")).status == 200)
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func otherMethodIs405WithAllow() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange("DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD, POST")
        #expect(response.text.contains("DELETE is not allowed on /hello"))
        let post = try await client.exchange("POST /hello HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n")
        #expect(post.text == "posted\n")
        let onlyPost = try await client.exchange("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(onlyPost.status == 405)
        #expect(onlyPost.headers["Allow"] == "POST")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func headIsServedByGetWithoutTheBody() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let head = try await client.exchange("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n", toHEAD: true)
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == "6")
        #expect(head.body.isEmpty)
        // Had any body bytes been sent, they would now be read as the start of this response.
        let next = try await client.exchange(get("/hello"))
        #expect(next.status == 200)
        #expect(next.text == "hello\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func noContentHasNoBodyOrLength() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(get("/empty"))
        #expect(response.status == 204)
        #expect(response.headers["Content-Length"] == nil)
        #expect(try await client.exchange(get("/hello")).text == "hello\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func requestBodiesReachTheHandler() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(
            "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(response.text == "hello world")
        #expect(response.headers["X-Body-Length"] == "11")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func corsPreflightWhenConfigured() async throws {
        let server = try await TestServer.start(configure: { $0.corsAllowOrigin = "*" })
        let client = try server.client()
        let preflight = try await client.exchange(
            "OPTIONS /hello HTTP/1.1\r\nHost: test\r\nAccess-Control-Request-Headers: X-Custom\r\n\r\n")
        #expect(preflight.status == 204)
        #expect(preflight.headers["Access-Control-Allow-Origin"] == "*")
        #expect(preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, OPTIONS")
        #expect(preflight.headers["Access-Control-Allow-Headers"] == "X-Custom")
        let plain = try await client.exchange(get("/hello"))
        #expect(plain.headers["Access-Control-Allow-Origin"] == "*")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func defaultHeadersGoOnEveryAnswerUnlessTheResponseSetsItsOwn() async throws {
        let server = try await TestServer.start(
            configure: {
                $0.defaultHeaders = HTTPHeaders([
                    ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                ])
            },
            routes: { router, _ in
                router.get("/own") { _, responder in
                    let headers = HTTPHeaders([("Referrer-Policy", "same-origin")])
                    responder.respond(HTTPResponse(status: 200, headers: headers))
                }
            })
        let client = try server.client()
        // A route, the router's own 404 and 405, a stream.
        let delete = "DELETE /hello HTTP/1.1\r\nHost: test\r\n\r\n"
        for request in [get("/hello"), get("/nowhere"), delete, get("/stream?chunks=1")] {
            let response = try await client.exchange(request)
            #expect(response.headers.values("X-Content-Type-Options") == ["nosniff"], "\(request)")
            #expect(response.headers.values("Referrer-Policy") == ["no-referrer"], "\(request)")
        }
        let own = try await client.exchange(get("/own"))
        #expect(own.headers.values("Referrer-Policy") == ["same-origin"])
        #expect(own.headers["X-Content-Type-Options"] == "nosniff")
        client.close()
        // A request the parser refuses is answered with them too.
        let bad = try server.client()
        let refused = try await bad.exchange("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        #expect(refused.status == 400)
        #expect(refused.headers["X-Content-Type-Options"] == "nosniff")
        #expect(refused.headers["Referrer-Policy"] == "no-referrer")
        bad.close()
        #expect(await server.stop() == 0)
    }

    @Test func handlersSeeTheClientAddress() async throws {
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/whoami") { request, responder in responder.respond(.text(request.client)) }
        })
        let client = try server.client()
        #expect(try await client.exchange(get("/whoami")).text == "127.0.0.1\n")
        client.close()
        #expect(await server.stop() == 0)
    }
}

@testable import HashrCore

/// The routes every server test gets.
enum TestRoutes {
    static func add(to router: inout HTTPRouter, loop: EventLoop, metrics: ServiceMetrics) {
        router.get("/hello") { _, responder in responder.respond(.text("hello")) }
        router.post("/hello") { _, responder in responder.respond(.text("posted")) }
        router.get("/empty") { _, responder in responder.respond(HTTPResponse(status: 204)) }
        router.get("/metrics") { _, responder in responder.respond(metrics.response()) }

        // The body back, with its length in a header.
        router.post("/echo") { request, responder in
            var headers = HTTPHeaders()
            headers.add("X-Body-Length", String(request.body.count))
            responder.respond(HTTPResponse(status: 200, headers: headers, body: request.body))
        }

        // `?ms=N&id=X`: answers X after N milliseconds, as a handler waiting on Redis would.
        router.get("/delay") { request, responder in
            let delay = Int(request.query("ms") ?? "") ?? 0
            let id = request.query("id") ?? ""
            LoopTimer.once(after: .milliseconds(delay), on: loop) { responder.respond(.text(id)) }
        }

        // `?chunks=N`: N pieces of a streamed body, one every 10 ms.
        router.get("/stream") { request, responder in
            let total = Int(request.query("chunks") ?? "") ?? 3
            // `hold=1`: after the chunks the stream stays open until the client leaves, so a test can
            // tell "sent as written" from "sent at the end" without racing a timer.
            let holds = request.query("hold") == "1"
            guard let stream = responder.startStream(headers: HTTPHeaders([("Content-Type", "text/plain")])) else {
                return
            }
            var sent = 0
            var timer: LoopTimer?
            timer = LoopTimer(loop: loop) {
                if sent == total {
                    if !holds { stream.end() }
                } else {
                    stream.write(Array("chunk \(sent)\n".utf8))
                    sent += 1
                }
            }
            stream.onClose = {
                timer?.close()
                timer = nil
            }
            timer?.start(after: .milliseconds(10), repeating: .milliseconds(10))
        }
    }
}

extension HTTPRequest {
    /// The first value of a query parameter, undecoded.
    func query(_ name: String) -> String? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}

/// The body a `/stream?chunks=N` response carries.
func streamedBody(chunks: Int) -> String {
    (0..<chunks).map { "chunk \($0)\n" }.joined()
}

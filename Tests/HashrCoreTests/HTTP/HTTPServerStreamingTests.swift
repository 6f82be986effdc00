import HashrTestSupport
import Testing

@testable import HashrCore

/// Open-ended responses: chunked framing, HTTP/1.0, HEAD, and cutting off a reader that falls behind.
@Suite(.timeLimit(.minutes(2))) struct HTTPServerStreamingTests {
    @Test func streamedResponseIsChunkedAndTheConnectionGoesOn() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange(get("/stream?chunks=5"))
        #expect(response.status == 200)
        #expect(response.headers["Transfer-Encoding"] == "chunked")
        #expect(response.headers["Content-Length"] == nil)
        #expect(response.text == streamedBody(chunks: 5))
        #expect(try await client.exchange(get("/hello")).text == "hello\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func chunksArriveAsTheyAreWritten() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        try await client.send(get("/stream?chunks=1&hold=1"))
        var received: [UInt8] = []
        // The stream never ends while the client reads, so the head and the chunk arrive because
        // they were written, not because the stream was finished.
        while !String(decoding: received, as: UTF8.self).contains("chunk 0\n") {
            guard let bytes = try await client.receive() else { break }
            received += bytes
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("\r\n\r\n8\r\nchunk 0\n\r\n"))
        #expect(!text.contains("0\r\n\r\n"))
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func http10StreamRunsUntilClose() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let response = try await client.exchange("GET /stream?chunks=4 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(response.headers["Transfer-Encoding"] == nil)
        #expect(response.headers["Connection"] == "close")
        #expect(response.text == streamedBody(chunks: 4))
        #expect(await server.stop() == 0)
    }

    @Test func headOnAStreamingRouteSendsNoBody() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let head = try await client.exchange("HEAD /stream?chunks=3 HTTP/1.1\r\nHost: test\r\n\r\n", toHEAD: true)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        // Stray chunk bytes would be read here as a broken response.
        #expect(try await client.exchange(get("/hello")).text == "hello\n")
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func aSlowReaderIsCutOffAndNobodyElseWaits() async throws {
        struct Firehose: Sendable {
            var chunks = 0
            var refused = false
            var closed = false
        }
        let firehose = Shared(Firehose())
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        let server = try await TestServer.start(
            configure: { $0.maxQueuedStreamBytes = 256 * 1024 },
            routes: { router, loop in
                // 64 KiB every millisecond until the stream is closed, 256 MiB at most.
                router.get("/firehose") { _, responder in
                    guard let stream = responder.startStream() else { return }
                    var timer: LoopTimer?
                    timer = LoopTimer(loop: loop) {
                        guard firehose.value.chunks < 4096 else { return stream.end() }
                        let accepted = stream.write(chunk)
                        firehose.update {
                            $0.chunks += 1
                            if !accepted { $0.refused = true }
                        }
                    }
                    stream.onClose = {
                        timer?.close()
                        timer = nil
                        firehose.update { $0.closed = true }
                    }
                    timer?.start(after: .milliseconds(1), repeating: .milliseconds(1))
                }
            })
        let slow = try server.client(receiveBuffer: 4096)
        try await slow.send(get("/firehose"))

        let bystander = try server.client()
        // A loop that waited on the slow reader would answer nobody: these would hang (the suite's
        // time limit), so answered at all is the check, with no wall-clock bound to lose on a busy
        // machine.
        for _ in 0..<20 {
            #expect(try await bystander.exchange(get("/hello")).status == 200)
            try await Task.sleep(for: .milliseconds(5))
        }

        try await waitUntil("the firehose to close") { firehose.value.closed }
        #expect(firehose.value.refused)
        #expect(firehose.value.chunks < 4096)
        try await waitUntil("one open connection") { try await server.connectionCount == 1 }
        // What the client's own socket had already taken still arrives, then a reset: the server's
        // kernel dropped the rest instead of holding it for a client that does not read.
        var drained = 0
        while let bytes = try await slow.receive() { drained += bytes.count }
        #expect(drained < firehose.value.chunks * chunk.count)
        #expect(slow.wasReset)
        #expect(try await bystander.exchange(get("/hello")).status == 200)
        bystander.close()
        #expect(await server.stop() == 0)
    }

    @Test func anAbortedStreamResetsTheConnection() async throws {
        let closed = Shared(false)
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/abort") { _, responder in
                let stream = responder.startStream()
                stream?.onClose = { closed.update { $0 = true } }
                stream?.write(Array("before the abort\n".utf8))
                stream?.abort()
            }
        })
        let client = try server.client()
        try await client.send(get("/abort"))
        var received: [UInt8] = []
        while let bytes = try await client.receive() { received += bytes }
        #expect(String(decoding: received, as: UTF8.self).contains("before the abort"))
        #expect(!String(decoding: received, as: UTF8.self).contains("0\r\n\r\n"))
        #expect(client.wasReset)
        #expect(closed.value)
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }

    @Test func aStreamCanCapTheKernelsSendBuffer() async throws {
        struct Sizes: Sendable {
            var before = 0
            var after = 0
        }
        let sizes = Shared(Sizes())
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/capped") { _, responder in
                guard let stream = responder.startStream() else { return }
                let before = stream.kernelSendBufferSize
                stream.limitKernelSendBuffer(to: 16 * 1024)
                let after = stream.kernelSendBufferSize
                sizes.update { $0 = Sizes(before: before, after: after) }
                stream.write(Array("capped\n".utf8))
                stream.end()
            }
        })
        let client = try server.client()
        let response = try await client.exchange(get("/capped"))
        #expect(response.text == "capped\n")
        #expect(sizes.value.before > 0)
        // Linux reports twice what was asked: the other half is its bookkeeping.
        #expect(sizes.value.after == 32 * 1024)
        client.close()
        #expect(await server.stop() == 0)
    }

    @Test func aStreamSeesItsClientLeave() async throws {
        let closed = Shared(false)
        let server = try await TestServer.start(routes: { router, _ in
            router.get("/forever") { _, responder in
                let stream = responder.startStream()
                stream?.write(Array("first\n".utf8))
                stream?.onClose = { closed.update { $0 = true } }
            }
        })
        let client = try server.client()
        try await client.send(get("/forever"))
        _ = try await client.receive()
        client.close()
        try await waitUntil("the stream to close") { closed.value }
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        #expect(await server.stop() == 0)
    }
}

import Testing

@testable import FrontendService

@Suite struct ServerSentEventsTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func calculationEventFraming() {
        let frame = ServerSentEvents.calculation("bursty-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9==")
        #expect(Self.text(frame) == "event: calculation\ndata: bursty-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9==\n\n")
    }

    @Test func bytesAndTextGiveTheSameFrame() {
        #expect(ServerSentEvents.calculation(Array("abc".utf8)) == ServerSentEvents.calculation("abc"))
    }

    @Test(arguments: [
        ("one\ntwo", "data: one\ndata: two\n"),
        ("one\r\ntwo", "data: one\ndata: two\n"),
        ("one\rtwo", "data: one\ndata: two\n"),
        ("a\n\nb", "data: a\ndata: \ndata: b\n"),
        ("a\r\n\r\nb", "data: a\ndata: \ndata: b\n"),
        ("a\r\rb", "data: a\ndata: \ndata: b\n"),
        ("end\n", "data: end\ndata: \n"),
        ("\nstart", "data: \ndata: start\n"),
        ("", "data: \n"),
        (" leading space", "data:  leading space\n"),
        ("event: forged\n\ndata: x", "data: event: forged\ndata: \ndata: data: x\n"),
    ])
    func everyLineOfAMessageBecomesADataLine(message: String, dataLines: String) {
        #expect(Self.text(ServerSentEvents.calculation(message)) == "event: calculation\n" + dataLines + "\n")
    }

    /// Parses a stream the way the HTML standard's EventSource does, to check that what a browser
    /// reconstructs is the message itself.
    static func browserView(_ stream: String) -> [(event: String, data: String)] {
        var events: [(String, String)] = []
        var name = ""
        var data: [String] = []
        for line in stream.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !data.isEmpty { events.append((name.isEmpty ? "message" : name, data.joined(separator: "\n"))) }
                name = ""
                data = []
            } else if line.hasPrefix(":") {
                continue
            } else {
                let field = line.prefix { $0 != ":" }
                var value = line.dropFirst(field.count).dropFirst()
                if value.first == " " { value = value.dropFirst() }
                if field == "event" { name = String(value) }
                if field == "data" { data.append(String(value)) }
            }
        }
        return events
    }

    @Test func aBrowserReconstructsEachMessage() {
        let messages = ["plain", "two\nlines", "  spaced  ", "", "trailing\n", "ünïcødé ✓", "data: x\n\nevent: y"]
        let stream =
            ServerSentEvents.streamOpening() + messages.flatMap { ServerSentEvents.calculation($0) }
            + ServerSentEvents.keepAlive
        let seen = Self.browserView(Self.text(stream))
        #expect(seen.map(\.event) == Array(repeating: "calculation", count: messages.count))
        #expect(seen.map(\.data) == messages)
    }

    @Test func eventWithoutNameAndNameWithLineBreaks() {
        #expect(Self.text(ServerSentEvents.event(named: nil, data: "x")) == "data: x\n\n")
        #expect(Self.text(ServerSentEvents.event(named: "a\nb\r", data: "x")) == "event: ab\ndata: x\n\n")
    }

    @Test func keepAliveIsACommentLine() {
        #expect(Self.text(ServerSentEvents.keepAlive) == ": keep-alive\n\n")
        #expect(Self.text(ServerSentEvents.comment("two\nlines")) == ": twolines\n\n")
    }

    @Test func retryHintIsInMilliseconds() {
        #expect(Self.text(ServerSentEvents.retry(after: .seconds(2))) == "retry: 2000\n\n")
        #expect(Self.text(ServerSentEvents.retry(after: .milliseconds(250))) == "retry: 250\n\n")
        #expect(Self.text(ServerSentEvents.streamOpening(retry: .seconds(3))) == "retry: 3000\n\n: connected\n\n")
    }

    @Test func headersDisableCachingAndProxyBuffering() {
        let headers = Dictionary(uniqueKeysWithValues: ServerSentEvents.responseHeaders.map { ($0.name, $0.value) })
        #expect(headers["Content-Type"]?.hasPrefix("text/event-stream") == true)
        #expect(headers["Cache-Control"] == "no-cache")
        #expect(headers["X-Accel-Buffering"] == "no")
    }

    @Test func clientBufferAdmitsUntilItsLimitThenCutsOffForGood() {
        var buffer = SSEClientBuffer(limit: 100)
        #expect(buffer.offer(60) == .write)
        #expect(buffer.offer(40) == .write)
        #expect(buffer.queuedBytes == 100)
        #expect(buffer.offer(1) == .disconnect)
        #expect(buffer.isCutOff)
        // Even after the socket drains, a cut-off client stays cut off.
        buffer.written(100)
        #expect(buffer.offer(1) == .disconnect)
    }

    @Test func clientBufferThatKeepsUpNeverOverflows() {
        var buffer = SSEClientBuffer(limit: 1_000)
        for _ in 0..<10_000 {
            #expect(buffer.offer(90) == .write)
            buffer.written(90)
        }
        #expect(buffer.queuedBytes == 0 && !buffer.isCutOff)
        buffer.written(5)
        #expect(buffer.queuedBytes == 0)
    }
}

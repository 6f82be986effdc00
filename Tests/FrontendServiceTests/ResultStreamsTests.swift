import Testing

@testable import FrontendService

@Suite struct ResultStreamsTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func streams(limit: Int = 1_000, maxClients: Int = 10) -> ResultStreams<Int> {
        ResultStreams(clientBufferLimit: limit, maxClients: maxClients, retry: .seconds(2))
    }

    @Test func openSendsTheRetryHintAndAConnectedComment() throws {
        var streams = Self.streams()
        let opened = streams.open(1)
        let opening = try #require(opened)
        #expect(Self.text(opening) == "retry: 2000\n\n: connected\n\n")
        #expect(streams.clientCount == 1)
        #expect(streams.queuedBytes(of: 1) == opening.count)
    }

    @Test func refusesBeyondMaxClients() {
        var streams = Self.streams(maxClients: 2)
        #expect(streams.open(1) != nil && streams.open(2) != nil)
        #expect(streams.open(3) == nil)
        streams.close(1)
        #expect(streams.open(3) != nil)
    }

    @Test func messagesAreBatchedAndFramedOnce() {
        var streams = Self.streams()
        _ = streams.open(1)
        _ = streams.open(2)
        streams.publish(Array("abc".utf8))
        streams.publish(Array("bursty-def".utf8))
        #expect(streams.pendingMessages == 2)
        let flush = streams.flush()
        #expect(Self.text(flush.bytes) == "event: calculation\ndata: abc\n\nevent: calculation\ndata: bursty-def\n\n")
        #expect(Set(flush.writeTo) == [1, 2] && flush.disconnect.isEmpty)
        #expect(streams.pendingMessages == 0)
        let empty = streams.flush()
        #expect(empty.bytes.isEmpty && empty.writeTo.isEmpty)
    }

    @Test func withoutClientsNothingIsKept() {
        var streams = Self.streams()
        streams.publish(Array("lost".utf8))
        #expect(streams.pendingMessages == 0)
        _ = streams.open(1)
        #expect(streams.flush().bytes.isEmpty)
    }

    @Test func aStalledClientIsCutOffAloneAndTheOthersKeepEverything() {
        var streams = Self.streams(limit: 400)
        _ = streams.open(1)  // reads
        _ = streams.open(2)  // stalls: never reports a completed write
        streams.written(streams.queuedBytes(of: 1)!, to: 1)
        var delivered: [Int: Int] = [1: 0, 2: 0]
        var cutOff: [Int] = []
        for round in 0..<20 {
            streams.publish(Array("message-\(round)".utf8))
            let flush = streams.flush()
            for client in flush.writeTo {
                delivered[client, default: 0] += 1
                if client == 1 { streams.written(flush.bytes.count, to: 1) }
            }
            cutOff += flush.disconnect
        }
        #expect(delivered[1] == 20, "the reading client got every batch")
        #expect(cutOff == [2], "the stalled one was cut off once")
        #expect(delivered[2]! < 20 && delivered[2]! > 0)
        #expect(streams.clientCount == 1 && streams.queuedBytes(of: 2) == nil)
    }

    @Test func keepAliveGoesToEveryClientEvenWhenIdle() {
        var streams = Self.streams()
        _ = streams.open(1)
        let idle = streams.flushWithKeepAlive()
        #expect(Self.text(idle.bytes) == ": keep-alive\n\n" && idle.writeTo == [1])
        streams.publish(Array("x".utf8))
        let busy = streams.flushWithKeepAlive()
        #expect(Self.text(busy.bytes) == "event: calculation\ndata: x\n\n: keep-alive\n\n")
    }

    @Test func closingTwiceOrUnknownClientsIsHarmless() {
        var streams = Self.streams()
        _ = streams.open(1)
        streams.close(1)
        streams.close(1)
        streams.close(99)
        streams.written(10, to: 99)
        #expect(streams.clientCount == 0)
    }

    @Test func aTinyBufferStillAdmitsTheOpening() {
        var streams = Self.streams(limit: 1)
        #expect(streams.open(1) != nil)
        streams.publish(Array("x".utf8))
        #expect(streams.flush().disconnect == [1])
    }

    @Test func fiftyClientsAtFiveThousandPerSecondGetEveryMessage() {
        var streams = ResultStreams<Int>(clientBufferLimit: 1 << 20, maxClients: 100, retry: .seconds(2))
        for client in 0..<50 { _ = streams.open(client) }
        var received = Array(repeating: 0, count: 50)
        // One second: 5,000 messages, flushed every 10 ms (50 per flush), all clients reading.
        for flushIndex in 0..<100 {
            for index in 0..<50 { streams.publish(Array("hash-\(flushIndex)-\(index)".utf8)) }
            let flush = streams.flush()
            let events = Self.text(flush.bytes).components(separatedBy: "event: calculation\n").count - 1
            for client in flush.writeTo {
                received[client] += events
                streams.written(flush.bytes.count, to: client)
            }
        }
        #expect(received.allSatisfy { $0 == 5_000 })
    }
}

import Foundation
import HashrTestSupport
import Logging
import Testing

@testable import HashrCore

@Suite struct LogSinkTests {
    @Test func linesFromManyThreadsArriveWholeAndInOrderPerThread() async throws {
        let pipe = LogPipe()
        let sink = LogSink(fileDescriptor: pipe.writeEnd, format: .json)
        defer { sink.close() }
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<4 {
                group.addTask {
                    for index in 0..<500 {
                        sink.append(
                            level: .info, label: "t", source: "test", message: "thread \(thread) line \(index)",
                            metadata: ["pad": "\(String(repeating: "x", count: index % 97))"])
                    }
                }
            }
        }
        // The pipe holds 64 KiB: read while the sink writes.
        try await waitUntil("2,000 lines written") { pipe.lines.count == 2000 }
        #expect(sink.flush())
        let lines = pipe.lines
        #expect(lines.count == 2000)
        var next = [Int](repeating: 0, count: 4)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            let words = (object["message"] as? String ?? "").split(separator: " ")
            let thread = Int(words[1])!
            #expect(Int(words[3]) == next[thread])
            next[thread] += 1
        }
        #expect(sink.droppedLineCount == 0)
    }

    @Test func aLoopIterationsLinesGoOutInOneWrite() async throws {
        let pipe = LogPipe(packets: true)
        // No lingering write: only the loop's end-of-iteration request writes. No gap after a write
        // either: the warm-up's gap could end while the loop appends (the next test covers the gap).
        let sink = LogSink(
            fileDescriptor: pipe.writeEnd, format: .text, lingerMilliseconds: 60_000, writeGapMilliseconds: 0)
        defer { sink.close() }
        let thread = try EventLoopThread(logSink: sink)
        // First a line written and flushed: the writer thread is then surely up and waiting (on a busy
        // machine it may start after the appends below, and would then write whatever it finds).
        sink.append(level: .info, label: "t", source: "test", message: "warm-up", metadata: nil)
        #expect(sink.flush())
        try await waitUntil("the warm-up line read") { pipe.lines.count == 1 }
        let before = pipe.packets
        _ = try await thread.submit {
            for index in 0..<100 {
                sink.append(level: .info, label: "t", source: "test", message: "line \(index)", metadata: nil)
            }
        }
        try await waitUntil("100 lines written") { pipe.lines.count == 101 }
        #expect(pipe.packets - before == 1, "one write() for the iteration's 100 lines")
        #expect(await thread.shutdown() == 0)
    }

    @Test func afterAWriteLinesWaitOutTheGapUnlessFlushedOrHalfABufferWaits() async throws {
        let pipe = LogPipe(packets: true)
        // A gap and a linger no test run outlasts: a write within them was asked for by a flush or a
        // buffer half full.
        let sink = LogSink(
            fileDescriptor: pipe.writeEnd, format: .text, capacity: 64 * 1024, lingerMilliseconds: 600_000,
            writeGapMilliseconds: 600_000)
        defer { sink.close() }
        sink.append(level: .info, label: "t", source: "test", message: "first", metadata: nil)
        #expect(sink.flush())
        try await waitUntil("the first line read") { pipe.lines.count == 1 }

        // A loop's iteration asks for a write within the gap: the line waits.
        sink.append(level: .info, label: "t", source: "test", message: "second", metadata: nil)
        sink.loopIterationEnded()
        try await Task.sleep(for: .milliseconds(200))
        #expect(pipe.lines.count == 1, "written within the gap")
        // A flush does not wait for the gap.
        #expect(sink.flush())
        #expect(pipe.lines.last?.hasSuffix("second") == true)

        // Nor does a buffer half full (32 KiB here), with no flush and no loop asking.
        let long = String(repeating: "z", count: 1000)
        for _ in 0..<40 { sink.append(level: .info, label: "t", source: "test", message: long, metadata: nil) }
        try await waitUntil("half a buffer written") { pipe.lines.count > 2 }
        #expect(sink.droppedLineCount == 0)
    }

    @Test func aStalledOutputNeverBlocksAndLostLinesAreCountedAndReported() async throws {
        let pipe = LogPipe()
        // The pipe holds 64 KiB and nobody reads it: the writer blocks, then the 16 KiB buffer fills.
        let sink = LogSink(fileDescriptor: pipe.writeEnd, format: .text, capacity: 16 * 1024, lingerMilliseconds: 1)
        defer { sink.close() }
        let line = String(repeating: "y", count: 200)
        var appended = 0
        for _ in 0..<2000 {
            sink.append(level: .info, label: "t", source: "test", message: line, metadata: nil)
            appended += 1
        }
        // And on until a line is dropped (a writer thread that started late may have made room just
        // before the end), so that a gap is pending when the reader catches up. The pipe is not read,
        // so room runs out for good within a few hundred lines.
        while true {
            let before = sink.droppedLineCount
            sink.append(level: .info, label: "t", source: "test", message: line, metadata: nil)
            appended += 1
            if sink.droppedLineCount > before { break }
            try #require(appended < 20_000, "no line was ever dropped")
        }
        // Every append returned (the loop would never wait); more than 80 KiB could not fit anywhere.
        let dropped = sink.droppedLineCount
        #expect(dropped > 1000)
        // A stalled output makes flush give up rather than hang (the value is not checked: in a parallel
        // run another test's stray close of a reused descriptor can fail the write, which also ends it).
        _ = sink.flush(timeoutMilliseconds: 200)

        // The reader catches up; the next line is preceded by the count of what was lost.
        try await waitUntil("the backlog drained") {
            pipe.drain()
            return sink.flush(timeoutMilliseconds: 50)
        }
        sink.append(level: .info, label: "t", source: "test", message: "after the gap", metadata: nil)
        #expect(sink.flush())
        let lines = pipe.lines
        #expect(lines.last?.hasSuffix("after the gap") == true)
        #expect(lines.dropLast().last?.contains("warning log: [HashrCore] ") == true, "the gap is reported first")
        // Room may have freed up between drops, so a gap can be reported in parts: together they
        // account for every lost line, each where the loss happened.
        let notices = lines.filter { $0.contains("log line(s) dropped") }
        let reported = notices.map { line in
            Int(line.split(separator: "] ")[1].split(separator: " ")[0]) ?? 0
        }
        #expect(reported.reduce(0, +) == dropped, "\(notices)")
        #expect(lines.count == appended - dropped + notices.count + 1)
        #expect(sink.droppedLineCount == dropped)
    }

    @Test func theDropCountIsExported() async throws {
        let pipe = LogPipe()
        let sink = LogSink(fileDescriptor: pipe.writeEnd, format: .text, capacity: 10)
        defer { sink.close() }
        sink.append(level: .info, label: "t", source: "test", message: "longer than ten bytes", metadata: nil)
        let text = String(decoding: ServiceMetrics(logSink: sink).exposition(), as: UTF8.self)
        #expect(text.contains("# TYPE log_lines_dropped_total counter\nlog_lines_dropped_total 1\n"))
        #expect(!String(decoding: ServiceMetrics(logSink: nil).exposition(), as: UTF8.self).contains("log_lines"))
    }

    @Test func theServicesHandlerWritesEveryEventAndTheAccessLogDirectly() async throws {
        let pipe = LogPipe()
        let sink = LogSink(fileDescriptor: pipe.writeEnd, format: .json)
        defer { sink.close() }
        var logger = Logger(label: "svc") { label in BufferedLogHandler(label: label, sink: sink, logLevel: .info) }
        logger[metadataKey: "request"] = "7"
        logger.debug("not written")
        logger.info("written", metadata: ["extra": "1"])
        logger.error("failed", error: URLError(.badURL))
        let plain = Logger(label: "svc") { label in BufferedLogHandler(label: label, sink: sink, logLevel: .info) }
        let accessLog = AccessLog(logger: plain)
        accessLog.record(AccessRecord(client: "127.0.0.1", method: "PUT", target: "/r", status: 200, nanoseconds: 1, bytes: 2))
        #expect(sink.flush())
        let objects = try pipe.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count == 3)
        #expect(objects[0]["message"] as? String == "written" && objects[0]["extra"] as? String == "1")
        #expect(objects[0]["request"] as? String == "7")
        #expect(objects[1]["severity"] as? String == "ERROR" && objects[1]["error"] != nil)
        #expect(objects[2]["client"] as? String == "127.0.0.1" && objects[2]["status"] as? Int == 200)
    }

    @Test func anAccessLogAboveInfoWritesNothing() {
        let capture = LogCapture()
        let accessLog = AccessLog(logger: capture.logger(level: .warning))
        #expect(!accessLog.isEnabled)
        accessLog.record(AccessRecord(client: "-", method: "GET", target: "/", status: 200, nanoseconds: 1, bytes: 2))
        #expect(capture.messages.isEmpty)
    }
}

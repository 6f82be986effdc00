#if canImport(Glibc)
    import Glibc
#endif

/// Reads a `GET /api/results` answer as a browser would, from raw bytes: the HTTP head, the chunked
/// body, and the Server-Sent Events inside it. Pure, so a test client can feed it whatever `recv`
/// returned, split anywhere.
struct SSEStreamParser {
    struct Event: Sendable, Equatable {
        var name: String
        var data: String
    }

    private(set) var status: Int?
    private(set) var headers: [String: String] = [:]
    private(set) var events: [Event] = []
    private(set) var comments: [String] = []
    private(set) var retry: Int?
    /// The terminating zero-length chunk arrived: the server ended the stream cleanly.
    private(set) var ended = false
    /// Bytes that break the framing, described once.
    private(set) var error: String?

    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed; dropped from its front now and then, not on every read.
    private var offset = 0
    private var chunkRemaining = 0
    private var inChunkData = false
    /// The start of a line whose end has not arrived yet.
    private var partialLine: [UInt8] = []
    private var eventName = ""
    private var dataLines: [String] = []

    /// Takes the next bytes of the stream.
    mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
        if status == nil { parseHead() }
        if status != nil { parseChunks() }
        if offset > 64 * 1024 {
            buffer.removeFirst(offset)
            offset = 0
        }
    }

    private var available: Int { buffer.count - offset }

    private mutating func parseHead() {
        guard let end = find([13, 10, 13, 10], from: offset) else { return }
        let head = String(decoding: buffer[offset..<end], as: UTF8.self)
        offset = end + 4
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ")
        status = statusLine.count > 1 ? Int(statusLine[1]) : -1
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: " ")
        }
    }

    private mutating func parseChunks() {
        while !ended && error == nil {
            if inChunkData {
                // Take what is there of the chunk; its closing CR LF is checked once all of it came.
                let take = min(chunkRemaining, available)
                if take > 0 {
                    consumeText(from: offset, to: offset + take)
                    offset += take
                    chunkRemaining -= take
                }
                guard chunkRemaining == 0, available >= 2 else { return }
                guard buffer[offset] == 13, buffer[offset + 1] == 10 else {
                    error = "chunk not followed by CR LF"
                    return
                }
                offset += 2
                inChunkData = false
            } else {
                guard let lineEnd = find([13, 10], from: offset) else { return }
                let sizeText = String(decoding: buffer[offset..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                    error = "bad chunk size line \(sizeText)"
                    return
                }
                offset = lineEnd + 2
                if size == 0 {
                    ended = true
                    return
                }
                chunkRemaining = size
                inChunkData = true
            }
        }
    }

    /// Splits `buffer[start..<end]` into lines at LF (the server writes no CR), keeping an unfinished
    /// last line for the next chunk. Searches with `memchr`: a test streams megabytes through this in a
    /// debug build.
    private mutating func consumeText(from start: Int, to end: Int) {
        var lineStart = start
        while lineStart < end {
            let newline = buffer.withUnsafeBytes { raw -> Int? in
                guard let found = memchr(raw.baseAddress! + lineStart, 10, end - lineStart) else { return nil }
                return UnsafeRawPointer(found) - raw.baseAddress!
            }
            guard let newline else {
                partialLine.append(contentsOf: buffer[lineStart..<end])
                return
            }
            if partialLine.isEmpty {
                line(String(decoding: buffer[lineStart..<newline], as: UTF8.self))
            } else {
                partialLine.append(contentsOf: buffer[lineStart..<newline])
                line(String(decoding: partialLine, as: UTF8.self))
                partialLine.removeAll(keepingCapacity: true)
            }
            lineStart = newline + 1
        }
    }

    /// One line of the event stream (the server writes LF line ends only).
    private mutating func line(_ line: String) {
        if line.isEmpty {
            if !dataLines.isEmpty {
                events.append(
                    Event(name: eventName.isEmpty ? "message" : eventName, data: dataLines.joined(separator: "\n")))
            }
            eventName = ""
            dataLines = []
        } else if line.hasPrefix(":") {
            comments.append(String(line.dropFirst()).trimmingCharacters(in: " "))
        } else if line.hasPrefix("event: ") {
            eventName = String(line.dropFirst(7))
        } else if line.hasPrefix("data: ") {
            dataLines.append(String(line.dropFirst(6)))
        } else if line == "data" || line == "data:" {
            dataLines.append("")
        } else if line.hasPrefix("retry: ") {
            retry = Int(line.dropFirst(7))
        } else {
            error = "unexpected line \(line)"
        }
    }

    /// Where `needle` (a few bytes) first occurs in `buffer` at or after `start`.
    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard buffer.count - start >= needle.count else { return nil }
        for index in start...(buffer.count - needle.count) where buffer[index] == needle[0] {
            if buffer[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}

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
    private var chunkRemaining = 0
    private var inChunkData = false
    private var text: [UInt8] = []
    private var eventName = ""
    private var dataLines: [String] = []

    /// Takes the next bytes of the stream.
    mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
        if status == nil { parseHead() }
        guard status != nil else { return }
        parseChunks()
    }

    private mutating func parseHead() {
        guard let end = find([13, 10, 13, 10], in: buffer) else { return }
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
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
                guard buffer.count >= chunkRemaining + 2 else {
                    // Take what is there of the chunk; keep the CR LF after it for later.
                    let take = min(chunkRemaining, buffer.count)
                    if take > 0 {
                        consumeText(buffer[..<take])
                        buffer.removeFirst(take)
                        chunkRemaining -= take
                    }
                    return
                }
                consumeText(buffer[..<chunkRemaining])
                guard buffer[chunkRemaining] == 13, buffer[chunkRemaining + 1] == 10 else {
                    error = "chunk not followed by CR LF"
                    return
                }
                buffer.removeFirst(chunkRemaining + 2)
                chunkRemaining = 0
                inChunkData = false
            } else {
                guard let lineEnd = find([13, 10], in: buffer) else { return }
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                    error = "bad chunk size line \(sizeText)"
                    return
                }
                buffer.removeFirst(lineEnd + 2)
                if size == 0 {
                    ended = true
                    return
                }
                chunkRemaining = size
                inChunkData = true
            }
        }
    }

    private mutating func consumeText(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes {
            guard byte == 10 else {
                text.append(byte)
                continue
            }
            line(String(decoding: text, as: UTF8.self))
            text.removeAll(keepingCapacity: true)
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

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
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

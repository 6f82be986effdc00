/// An incremental HTTP/1.1 message parser with no I/O.
///
/// Feed it bytes as they arrive, split anywhere, with `append`; pull events with `next()` until it
/// returns nil (it needs more bytes). Once it throws, it keeps throwing the same error: the peer
/// answered with that error's status, and the connection is closed.
public struct HTTPParser: Sendable {
    public enum Kind: Sendable { case request, response }

    /// Size limits. Each guards memory against a peer that sends without end.
    public struct Limits: Sendable, Equatable {
        /// Longest request or status line, in bytes (414 past it). Default 8 KiB.
        public var maxStartLineLength = 8 * 1024
        /// All header lines of one message together, in bytes (431 past it). Default 32 KiB.
        public var maxHeaderBytes = 32 * 1024
        /// Number of header fields in one message (431 past it). Default 100.
        public var maxHeaderCount = 100
        /// Body size after de-chunking (413 past it). Default 1 MiB.
        public var maxBodyBytes = 1024 * 1024

        public init() {}
    }

    public enum Event: Sendable, Equatable {
        case requestHead(HTTPRequestHead)
        case responseHead(HTTPResponseHead)
        case body([UInt8])
        case end
    }

    enum State: Sendable {
        case startLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case bodyUntilClose
        /// The body is complete; `.end` is the next event.
        case messageEnd
        case failed(HTTPParserError)
    }

    public let kind: Kind
    public var limits: Limits
    /// For a response parser: the next response answers a HEAD request, so it has no body.
    public var nextResponseIsToHEAD = false
    /// For a response parser: keep only the fields that frame a response and say whether its
    /// connection stays open (Content-Length, Transfer-Encoding, Connection); the others are still
    /// checked, then dropped, with no string made for them. For a client that reads nothing else
    /// (the frontend's generator). Stays set across messages.
    public var keepsOnlyFramingFields = false

    var buffer: [UInt8] = []
    var readIndex = 0
    /// Where the search for the next line feed resumes, so trickled bytes are not rescanned.
    var scanIndex = 0
    var state = State.startLine
    var headBytes = 0
    var bodyBytes = 0
    var pendingRequest: HTTPRequestHead?
    var pendingResponse: HTTPResponseHead?
    /// The fields of the head being read, written over those of the message before, whose strings
    /// are taken again where the same bytes come (see `HTTPHeaders.setField`). Not emptied between
    /// messages: once the previous head has been let go, its storage is reused as well.
    var headers = HTTPHeaders()
    /// Fields of the current head, kept or not (`maxHeaderCount` counts them all).
    var fieldCount = 0
    /// Fields of the current head written to `headers` so far; the rest of `headers` is the
    /// previous message's.
    var keptFieldCount = 0
    /// What the fields of the latest head say about its framing and connection, gathered as they
    /// were parsed. Read them after `next()` returns a head (the server does, for keep-alive and
    /// `Expect`), until the next message's start line.
    var facts = HTTPHeadFacts()
    /// The previous request's method and target, taken again when the next has the same bytes.
    var lastMethod = ""
    var lastTarget = ""

    public init(kind: Kind, limits: Limits = Limits()) {
        self.kind = kind
        self.limits = limits
    }

    /// Bytes received but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True between messages: nothing of a next message has been consumed yet.
    public var isAtMessageBoundary: Bool {
        if case .startLine = state { return headBytes == 0 }
        return false
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
            scanIndex = 0
        } else if readIndex > 16 * 1024 {
            buffer.removeFirst(readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParserError) -> Event? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Called when the peer closed its side. Ends a body that runs until close; an incomplete
    /// message is an error; nil at a message boundary.
    public mutating func finish() throws(HTTPParserError) -> Event? {
        switch state {
        case .bodyUntilClose:
            state = .startLine
            resetMessage()
            return .end
        case .startLine where headBytes == 0 && bufferedByteCount == 0:
            return nil
        case .failed(let error):
            throw error
        default:
            state = .failed(.badRequest("connection closed in the middle of a message"))
            throw HTTPParserError.badRequest("connection closed in the middle of a message")
        }
    }

    private mutating func step() throws(HTTPParserError) -> Event? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .startLine, .headers:
                return try readHead()
            case .fixedBody(let remaining):
                guard bufferedByteCount > 0 else { return nil }
                let take = min(remaining, bufferedByteCount)
                let chunk = Array(buffer[readIndex..<readIndex + take])
                consume(take)
                state = take == remaining ? .messageEnd : .fixedBody(remaining: remaining - take)
                return .body(chunk)
            case .messageEnd:
                state = .startLine
                resetMessage()
                return .end
            case .chunkSize:
                guard let line = try nextLine(limit: 1024, onOverflow: .chunkSize) else { return nil }
                let size = try Self.parseChunkSize(line)
                if size == 0 {
                    state = .trailers
                    continue
                }
                bodyBytes += size
                guard bodyBytes <= limits.maxBodyBytes else { throw .payloadTooLarge }
                state = .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard bufferedByteCount > 0 else { return nil }
                let take = min(remaining, bufferedByteCount)
                let chunk = Array(buffer[readIndex..<readIndex + take])
                consume(take)
                state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
                return .body(chunk)
            case .chunkDataEnd:
                guard bufferedByteCount >= 2 else { return nil }
                guard buffer[readIndex] == 0x0D, buffer[readIndex + 1] == 0x0A else {
                    throw .badRequest("chunk data not followed by CRLF")
                }
                consume(2)
                state = .chunkSize
            case .trailers:
                let room = limits.maxHeaderBytes - headBytes
                guard let line = try nextLine(limit: room, onOverflow: .trailer) else {
                    return nil
                }
                headBytes += line.count + 2
                if line.isEmpty {
                    state = .startLine
                    resetMessage()
                    return .end
                }
                try Self.checkTrailerLine(line)
            case .bodyUntilClose:
                guard bufferedByteCount > 0 else { return nil }
                bodyBytes += bufferedByteCount
                guard bodyBytes <= limits.maxBodyBytes else { throw .payloadTooLarge }
                let chunk = Array(buffer[readIndex...])
                consume(chunk.count)
                return .body(chunk)
            }
        }
    }

    mutating func consume(_ count: Int) {
        readIndex += count
        if scanIndex < readIndex { scanIndex = readIndex }
    }

    mutating func resetMessage() {
        headBytes = 0
        bodyBytes = 0
        fieldCount = 0
        keptFieldCount = 0
        pendingRequest = nil
        pendingResponse = nil
        nextResponseIsToHEAD = false
    }
}

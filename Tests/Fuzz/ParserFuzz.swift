// libFuzzer target for the HTTP request parser, built by bench/fuzz-parser together with the
// parser's source files (one module, so no import).
//
// Each input is fed twice: whole, and in one to three pieces cut where a hash of the input says.
// Neither may crash, both must agree, and every event must respect the limits.

/// Limits small enough for the fuzzer to reach each of them.
private let limits: HTTPParser.Limits = {
    var limits = HTTPParser.Limits()
    limits.maxStartLineLength = 256
    limits.maxHeaderBytes = 1024
    limits.maxHeaderCount = 16
    limits.maxBodyBytes = 512
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    // A hash of the input picks how many pieces (1-3), where they are cut and whether the peer
    // closes at the end: every input gets its own splits, and a crash replays exactly.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in input { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let pieces = Int(hash % 3) + 1
    let closes = hash & 0x8000 != 0
    var cuts: [Int] = []
    for index in 1..<pieces {
        cuts.append(Int((hash >> (16 * UInt64(index))) & 0xFFFF) * input.count / 0x10000)
    }
    cuts.sort()

    let whole = FuzzRun(input, cuts: [], closes: closes)
    let split = FuzzRun(input, cuts: cuts, closes: closes)
    // Where the input is cut may change which error is noticed first (a line over the limit is
    // refused before its end arrives), but never whether there is one, nor what came before it.
    precondition(whole.events == split.events, "events differ between whole and split feeding")
    precondition((whole.error == nil) == (split.error == nil), "only one feeding failed")
    return 0
}

/// One feeding of an input to a fresh request parser, with every event checked as it comes.
private struct FuzzRun {
    var events: [HTTPParser.Event] = []
    var error: HTTPParserError?

    private var parser = HTTPParser(kind: .request, limits: limits)
    private var inMessage = false
    private var bodyBytes = 0
    private var fed = 0

    init(_ input: [UInt8], cuts: [Int], closes: Bool) {
        var start = 0
        do {
            for end in cuts + [input.count] where end >= start {
                parser.append(input[start..<end])
                fed += end - start
                start = end
                while let event = try parser.next() { check(event) }
                precondition(parser.bufferedByteCount >= 0 && parser.bufferedByteCount <= fed, "buffer accounting")
            }
            if closes, let event = try parser.finish() { check(event) }
        } catch {
            self.error = error
            checkSticky(error)
        }
    }

    private mutating func check(_ event: HTTPParser.Event) {
        switch event {
        case .requestHead(let head):
            precondition(!inMessage, "a head inside a message")
            inMessage = true
            bodyBytes = 0
            precondition(!head.method.isEmpty && head.method.utf8.allSatisfy(HTTPSyntax.isTokenByte), "bad method")
            precondition(!head.target.isEmpty && head.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "bad target")
            precondition(head.version == .http1_0 || head.version == .http1_1, "bad version")
            precondition(head.headers.count <= limits.maxHeaderCount, "too many headers")
            for field in head.headers.fields {
                precondition(!field.name.isEmpty && field.name.utf8.allSatisfy(HTTPSyntax.isTokenByte), "bad name")
                precondition(field.value.utf8.allSatisfy(HTTPSyntax.isFieldValueByte), "bad value")
            }
            precondition(head.version == .http1_0 || head.headers.values("host").count == 1, "Host rule")
            precondition(
                !(head.headers.contains("content-length") && head.headers.contains("transfer-encoding")),
                "both framings")
        case .body(let piece):
            precondition(inMessage, "a body outside a message")
            precondition(!piece.isEmpty, "an empty body event")
            bodyBytes += piece.count
            precondition(bodyBytes <= limits.maxBodyBytes, "a body over the limit")
        case .end:
            precondition(inMessage, "an end outside a message")
            inMessage = false
        case .responseHead:
            preconditionFailure("a request parser emitted a response head")
        }
        if case .body(let piece) = event, case .body(let previous)? = events.last {
            events[events.count - 1] = .body(previous + piece)
        } else {
            events.append(event)
        }
    }

    /// Once failed, the parser keeps failing the same way.
    private mutating func checkSticky(_ error: HTTPParserError) {
        parser.append([0x0D, 0x0A])
        do {
            _ = try parser.next()
            preconditionFailure("the parser recovered from \(error)")
        } catch {
            precondition(error == self.error, "the error changed")
        }
        precondition([400, 413, 414, 431, 501, 505].contains(error.status), "unexpected status")
    }
}

import Testing

@testable import HashrCore

/// What a parser made of some bytes: its events, with adjacent body pieces merged (where a body is
/// cut depends only on how the bytes arrived), and the error it stopped with, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var events: [HTTPParser.Event] = []
    var error: HTTPParserError?

    var description: String { "events: \(events), error: \(error.map { "\($0)" } ?? "none")" }

    mutating func add(_ event: HTTPParser.Event) {
        if case .body(let more) = event, case .body(let previous)? = events.last {
            events[events.count - 1] = .body(previous + more)
        } else {
            events.append(event)
        }
    }
}

/// Feeds one input to a fresh parser in every way it could arrive and checks that every way gives
/// the same outcome: all at once, in two pieces split at each index, and one byte at a time.
struct ParserFeeder {
    var kind: HTTPParser.Kind = .request
    var limits = HTTPParser.Limits()
    /// For responses: the first response answers a HEAD request.
    var answersHEAD = false
    /// For responses: keep only the framing fields (`keepsOnlyFramingFields`).
    var keepsOnlyFramingFields = false
    /// Calls `finish()` after the last byte, as when the peer closes.
    var finishAtEnd = false

    /// The outcome of feeding `bytes` whole, after checking every other split gives the same.
    func outcome(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> ParseOutcome {
        let whole = feed(bytes, cuts: [])
        for cut in 1..<max(bytes.count, 1) {
            let split = feed(bytes, cuts: [cut])
            if split != whole {
                Issue.record(
                    "split at \(cut) of \(bytes.count) gave \(split), whole gave \(whole)",
                    sourceLocation: sourceLocation)
                return whole
            }
        }
        let trickled = feed(bytes, cuts: Array(0..<bytes.count))
        if trickled != whole {
            Issue.record("one byte at a time gave \(trickled), whole gave \(whole)", sourceLocation: sourceLocation)
        }
        return whole
    }

    func outcome(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParseOutcome {
        outcome(Array(text.utf8), sourceLocation: sourceLocation)
    }

    /// Feeds `bytes` in pieces that start at each of `cuts`, draining events after each piece.
    func feed(_ bytes: [UInt8], cuts: [Int]) -> ParseOutcome {
        var parser = HTTPParser(kind: kind, limits: limits)
        parser.nextResponseIsToHEAD = answersHEAD
        parser.keepsOnlyFramingFields = keepsOnlyFramingFields
        var outcome = ParseOutcome()
        let bounds = cuts.filter { $0 > 0 && $0 < bytes.count } + [bytes.count]
        var start = 0
        do {
            for (index, end) in bounds.enumerated() {
                // Alternate the two `append` overloads so both are exercised.
                if index % 2 == 0 {
                    bytes[start..<end].withUnsafeBytes { parser.append($0) }
                } else {
                    parser.append(bytes[start..<end])
                }
                start = end
                while let event = try parser.next() { outcome.add(event) }
            }
            if finishAtEnd, let event = try parser.finish() { outcome.add(event) }
        } catch {
            outcome.error = error
        }
        return outcome
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// The head a request parser should produce.
func requestHead(
    _ method: String, _ target: String, _ version: HTTPVersion = .http1_1, _ fields: [(String, String)]
) -> HTTPParser.Event {
    .requestHead(HTTPRequestHead(method: method, target: target, version: version, headers: HTTPHeaders(fields)))
}

func body(_ text: String) -> HTTPParser.Event {
    .body(Array(text.utf8))
}

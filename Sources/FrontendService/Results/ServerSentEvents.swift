import HashrCore

/// Framing for the `GET /api/results` Server-Sent Events stream (WHATWG HTML, "Server-sent events").
///
/// Every function returns the exact bytes to write. A message published on Redis becomes one event
/// named `calculation`; the driver frames it once and writes the same bytes to every client.
public enum ServerSentEvents {
    /// The event name the page listens for.
    public static let calculationEvent = "calculation"

    /// Headers for the stream's `200` answer. `no-cache` and `X-Accel-Buffering: no` stop proxies
    /// (nginx, an ingress, Envoy's buffering filters) from holding events back.
    public static let responseHeaders: [(name: String, value: String)] = [
        ("Content-Type", "text/event-stream; charset=utf-8"),
        ("Cache-Control", "no-cache"),
        ("X-Accel-Buffering", "no"),
    ]

    /// One event: an optional `event:` line, one `data:` line per line of `data`, and the blank line
    /// that dispatches it.
    ///
    /// A message may contain line breaks; a raw one would end the event early and turn the rest into
    /// garbage fields, so each line of the message (split at CR LF, LF or CR, as a browser splits) gets
    /// its own `data:` line. The browser joins them with LF, so the page sees the message with its
    /// line breaks normalised to LF. An empty message is one empty `data:` line.
    public static func event(named name: String?, data: some Collection<UInt8>) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(data.count + (name?.utf8.count ?? 0) + 16)
        if let name {
            frame.appendUTF8("event: ")
            // A line break in the name would forge fields; names are ours, but stay safe.
            frame.append(contentsOf: name.utf8.filter { $0 != lineFeed && $0 != carriageReturn })
            frame.append(lineFeed)
        }
        frame.appendUTF8("data: ")
        // Results are hashes: one line, copied in bulk instead of byte by byte.
        if !data.contains(where: { $0 == lineFeed || $0 == carriageReturn }) {
            frame.append(contentsOf: data)
            frame.append(lineFeed)
            frame.append(lineFeed)
            return frame
        }
        var previousWasCarriageReturn = false
        for byte in data {
            switch byte {
            case carriageReturn:
                frame.appendUTF8("\ndata: ")
                previousWasCarriageReturn = true
                continue
            case lineFeed where previousWasCarriageReturn:
                break  // the LF of a CR LF pair: the CR already began the new line
            case lineFeed:
                frame.appendUTF8("\ndata: ")
            default:
                frame.append(byte)
            }
            previousWasCarriageReturn = false
        }
        frame.append(lineFeed)
        frame.append(lineFeed)
        return frame
    }

    /// One event with text data.
    public static func event(named name: String?, data: String) -> [UInt8] {
        event(named: name, data: Array(data.utf8))
    }

    /// A `calculation` event carrying one message from Redis channel `calculation`.
    public static func calculation(_ message: some Collection<UInt8>) -> [UInt8] {
        event(named: calculationEvent, data: message)
    }

    /// A `calculation` event carrying a text message.
    public static func calculation(_ message: String) -> [UInt8] {
        event(named: calculationEvent, data: Array(message.utf8))
    }

    /// A comment line. Browsers ignore it; proxies see traffic and keep an idle stream open.
    /// Line breaks in `text` are dropped so the comment stays one line.
    public static func comment(_ text: String) -> [UInt8] {
        var frame = Array(": ".utf8)
        frame.append(contentsOf: text.utf8.filter { $0 != lineFeed && $0 != carriageReturn })
        frame.appendUTF8("\n\n")
        return frame
    }

    /// The keep-alive sent every `SSE_KEEPALIVE` (15 s by default) on every open stream.
    public static let keepAlive: [UInt8] = comment("keep-alive")

    /// A `retry:` field: how long the browser waits before reconnecting after the stream drops.
    /// Sent once, first, so a restarted frontend is found again quickly.
    public static func retry(after delay: Duration) -> [UInt8] {
        Array("retry: \(max(0, delay.wholeMilliseconds))\n\n".utf8)
    }

    /// The first bytes of every stream: the retry hint and a comment that makes the browser fire
    /// `open` at once, before the first result arrives.
    public static func streamOpening(retry delay: Duration = .seconds(2)) -> [UInt8] {
        retry(after: delay) + comment("connected")
    }

    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
}

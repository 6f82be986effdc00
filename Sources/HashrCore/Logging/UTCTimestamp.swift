#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 timestamps in UTC with milliseconds (`2026-12-03T07:01:02.345Z`) for log lines.
///
/// Formatting is cached: the date and time of day are worked out once a second (`gmtime_r` reads
/// no time-zone file, unlike the local-time lookup it replaces) and the whole text once a
/// millisecond, so a busy server pays a clock read and a 24-byte copy per line. Not thread-safe:
/// the log sink uses it under its lock.
struct UTCTimestamp {
    static let length = 24

    private var cachedSecond = Int.min
    private var cachedMillisecond = -1
    private var text = [UInt8](repeating: 0, count: UTCTimestamp.length)

    /// Appends the current time.
    mutating func append(to line: inout [UInt8]) {
        line.append(contentsOf: current())
    }

    /// The current time's text.
    mutating func current() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        update(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000)
        return text
    }

    /// Appends the given time: seconds since the epoch and the milliseconds within that second.
    mutating func append(seconds: Int, milliseconds: Int, to line: inout [UInt8]) {
        update(seconds: seconds, milliseconds: milliseconds)
        line.append(contentsOf: text)
    }

    private mutating func update(seconds: Int, milliseconds: Int) {
        if seconds != cachedSecond {
            formatSecond(seconds)
            cachedSecond = seconds
            cachedMillisecond = -1
        }
        if milliseconds != cachedMillisecond {
            text[20] = UInt8(ascii: "0") + UInt8(milliseconds / 100)
            text[21] = UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10)
            text[22] = UInt8(ascii: "0") + UInt8(milliseconds % 10)
            cachedMillisecond = milliseconds
        }
    }

    private mutating func formatSecond(_ seconds: Int) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func put(_ value: Int32, digits: Int, at offset: Int) {
            var rest = Int(value)
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                text[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(parts.tm_year + 1900, digits: 4, at: 0)
        put(parts.tm_mon + 1, digits: 2, at: 5)
        put(parts.tm_mday, digits: 2, at: 8)
        put(parts.tm_hour, digits: 2, at: 11)
        put(parts.tm_min, digits: 2, at: 14)
        put(parts.tm_sec, digits: 2, at: 17)
        let separators: [(Int, UInt8)] = [
            (4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")), (13, UInt8(ascii: ":")),
            (16, UInt8(ascii: ":")), (19, UInt8(ascii: ".")), (23, UInt8(ascii: "Z")),
        ]
        for (offset, character) in separators { text[offset] = character }
    }
}

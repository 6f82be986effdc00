import Testing

@testable import HashrCore

@Suite struct UTCTimestampTests {
    private func text(_ stamp: inout UTCTimestamp, _ seconds: Int, _ milliseconds: Int) -> String {
        var line: [UInt8] = []
        stamp.append(seconds: seconds, milliseconds: milliseconds, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    @Test func formatsRFC3339InUTCWithMilliseconds() {
        var stamp = UTCTimestamp()
        #expect(text(&stamp, 0, 0) == "1970-01-01T00:00:00.000Z")
        #expect(text(&stamp, 1_796_281_262, 345) == "2026-12-03T07:01:02.345Z")
        // Within the same second only the milliseconds change; a new second is formatted anew.
        #expect(text(&stamp, 1_796_281_262, 7) == "2026-12-03T07:01:02.007Z")
        #expect(text(&stamp, 1_796_281_263, 7) == "2026-12-03T07:01:03.007Z")
        // A leap day and the last millisecond of a year.
        #expect(text(&stamp, 1_709_208_000, 999) == "2024-02-29T12:00:00.999Z")
        #expect(text(&stamp, 1_735_689_599, 999) == "2024-12-31T23:59:59.999Z")
    }

    @Test func theCurrentTimeHasTheSameShape() {
        var stamp = UTCTimestamp()
        var line: [UInt8] = []
        stamp.append(to: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.count == UTCTimestamp.length)
        #expect(text.hasPrefix("20") && text.hasSuffix("Z") && text.contains("T"))
    }
}

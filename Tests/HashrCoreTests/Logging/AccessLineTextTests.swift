import Testing

@testable import HashrCore

/// The text access line laid out on the stack must be the line the general path writes, for
/// every record; records it cannot take (escapes, long targets) go the general way.
@Suite struct AccessLineTextTests {
    /// The line after its timestamp, written piece by piece as before.
    func reference(_ record: AccessRecord, label: String) -> String {
        var bytes: [UInt8] = []
        bytes.appendUTF8(" info ")
        JSONText.appendEscaped(label, quotes: false, to: &bytes)
        bytes.appendUTF8(": client=\(record.client) [HashrCore] ")
        record.appendMessage(to: &bytes) { text, out in JSONText.appendEscaped(text, quotes: false, to: &out) }
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func equalsTheGeneralPath() {
        var encoder = LogLineEncoder(format: .text)
        let targets = [
            "/", "/x?y=1", "/é😀", "/a\nb", "/tab\there", String(repeating: "/long", count: 1000),
            String(decoding: [0x2F, 0xFF, 0xFE, 0x41] as [UInt8], as: UTF8.self),
        ]
        var cases = 0
        for label in ["worker", "odd\tlabel"] {
            for (client, method) in [("127.0.0.1", "POST"), ("::1", "M-SEARCH"), ("-", "GET\r")] {
                for target in targets {
                    for status in [0, 200, 999, 1000, -1] {
                        for nanoseconds in [0, 999, 45_000, 12_345_678, UInt64.max] as [UInt64] {
                            for bytes in [0, 9, 100, 65_536, Int.max] {
                                let record = AccessRecord(
                                    client: client, method: method, target: target, status: status,
                                    nanoseconds: nanoseconds, bytes: bytes)
                                var line: [UInt8] = [0x41]
                                encoder.encode(access: record, label: label, into: &line)
                                let text = String(decoding: line.dropFirst(), as: UTF8.self)
                                let time = text.utf8.prefix(UTCTimestamp.length)
                                #expect(time.count == 24 && time.last == UInt8(ascii: "Z"))
                                #expect(
                                    String(decoding: text.utf8.dropFirst(UTCTimestamp.length), as: UTF8.self)
                                        == reference(record, label: label))
                                cases += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(cases == 2 * 3 * 7 * 5 * 5 * 5)
    }
}

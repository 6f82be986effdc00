import Testing

@testable import HashrCore

/// The access line laid out on the stack must be the line the general path writes, for every
/// record, in both formats; records it cannot take (escapes, long targets) go the general way.
@Suite struct AccessLineTextTests {
    /// The text line after its timestamp, written piece by piece as before.
    func referenceText(_ record: AccessRecord, label: String) -> String {
        var bytes: [UInt8] = []
        bytes.appendUTF8(" info ")
        JSONText.appendEscaped(label, quotes: false, to: &bytes)
        bytes.appendUTF8(": client=\(record.client) [HashrCore] ")
        record.appendMessage(to: &bytes) { text, out in JSONText.appendEscaped(text, quotes: false, to: &out) }
        bytes.append(UInt8(ascii: "\n"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON line after its time's value, written piece by piece as before.
    func referenceJSON(_ record: AccessRecord, label: String) -> String {
        var bytes: [UInt8] = []
        bytes.appendUTF8("\",\"level\":\"info\",\"severity\":\"INFO\",\"logger\":")
        JSONText.appendQuoted(label, to: &bytes)
        bytes.appendUTF8(",\"message\":\"")
        record.appendMessage(to: &bytes) { text, out in JSONText.appendEscaped(text, to: &out) }
        bytes.appendUTF8("\",\"source\":\"HashrCore\",\"client\":")
        JSONText.appendQuoted(record.client, to: &bytes)
        bytes.appendUTF8(",\"method\":")
        JSONText.appendQuoted(record.method, to: &bytes)
        bytes.appendUTF8(",\"path\":")
        JSONText.appendQuoted(record.target, to: &bytes)
        bytes.appendUTF8(",\"status\":\(record.status),\"duration_ms\":")
        record.appendMilliseconds(to: &bytes)
        bytes.appendUTF8(",\"bytes\":\(record.bytes)}\n")
        return String(decoding: bytes, as: UTF8.self)
    }

    static let targets = [
        "/", "/x?y=1", "/é😀", "/a\nb", "/tab\there", #"/q"uote"#, #"/back\slash"#,
        String(repeating: "/long", count: 1000), String(decoding: [0x2F, 0xFF, 0xFE, 0x41] as [UInt8], as: UTF8.self),
    ]

    @Test(arguments: [LogFormat.text, .json])
    func equalsTheGeneralPath(format: LogFormat) {
        var encoder = LogLineEncoder(format: format)
        var cases = 0
        for label in ["worker", "odd\tlabel", #"q"l"#] {
            for (client, method) in [("127.0.0.1", "POST"), ("::1", "M-SEARCH"), ("-", "GET\r"), (#"a"b"#, "PUT")] {
                for target in Self.targets {
                    for status in [0, 200, 999, 1000, -1] {
                        for nanoseconds in [0, 999, 45_000, 12_345_678, UInt64.max] as [UInt64] {
                            for bytes in [0, 9, 100, 65_536, Int.max] {
                                let record = AccessRecord(
                                    client: client, method: method, target: target, status: status,
                                    nanoseconds: nanoseconds, bytes: bytes)
                                var line: [UInt8] = [0x41]
                                encoder.encode(access: record, label: label, into: &line)
                                var text = String(decoding: line.dropFirst(), as: UTF8.self)
                                if format == .json {
                                    #expect(text.hasPrefix("{\"time\":\""))
                                    text = String(text.dropFirst(9))
                                }
                                let time = text.utf8.prefix(UTCTimestamp.length)
                                #expect(time.count == 24 && time.last == UInt8(ascii: "Z"))
                                let rest = String(decoding: text.utf8.dropFirst(UTCTimestamp.length), as: UTF8.self)
                                let expected =
                                    format == .json
                                    ? referenceJSON(record, label: label) : referenceText(record, label: label)
                                #expect(rest == expected)
                                cases += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(cases == 3 * 4 * 9 * 5 * 5 * 5)
    }
}

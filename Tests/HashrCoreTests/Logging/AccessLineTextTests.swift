import Testing

@testable import HashrCore

/// The access line laid out on the stack must be the line the general path writes, for every
/// record, in both formats; records it cannot take (escapes, long targets) go the general way.
@Suite struct AccessLineTextTests {
    /// The line without its timestamp (and JSON's time key), which may have moved on between two lines.
    func untimed(_ line: [UInt8], format: LogFormat) -> String {
        var text = String(decoding: line, as: UTF8.self)
        if format == .json {
            #expect(text.hasPrefix("{\"time\":\""))
            text = String(text.dropFirst(9))
        }
        let time = text.utf8.prefix(UTCTimestamp.length)
        #expect(time.count == 24 && time.last == UInt8(ascii: "Z"))
        return String(decoding: text.utf8.dropFirst(UTCTimestamp.length), as: UTF8.self)
    }

    static let targets = [
        "/", "/x?y=1", "/é😀", "/a\nb", "/tab\there", #"/q"uote"#, #"/back\slash"#,
        String(repeating: "/long", count: 1000), String(decoding: [0x2F, 0xFF, 0xFE, 0x41] as [UInt8], as: UTF8.self),
    ]

    @Test(arguments: [LogFormat.text, .json])
    func equalsTheGeneralPath(format: LogFormat) {
        var encoder = LogLineEncoder(format: format)
        var cases = 0
        var laidOut = 0
        for label in ["worker", "odd\tlabel", #"q"l"#] {
            for (client, method) in [("127.0.0.1", "POST"), ("::1", "M-SEARCH"), ("-", "GET\r"), (#"a"b"#, "PUT")] {
                for target in Self.targets {
                    for status in [0, 200, 999, 1000, -1] {
                        for nanoseconds in [0, 999, 45_000, 12_345_678, UInt64.max] as [UInt64] {
                            for bytes in [0, 9, 100, 65_536, Int.max] {
                                let record = AccessRecord(
                                    client: client, method: method, target: target, status: status,
                                    nanoseconds: nanoseconds, bytes: bytes)
                                var general: [UInt8] = []
                                encoder.appendGeneralLine(access: record, label: label, to: &general)
                                var plain: [UInt8] = [0x41]
                                if encoder.appendPlainLine(access: record, label: label, to: &plain) {
                                    #expect(plain.first == 0x41, "appended after what the line held")
                                    #expect(
                                        untimed(Array(plain.dropFirst()), format: format)
                                            == untimed(general, format: format))
                                    laidOut += 1
                                } else {
                                    #expect(plain == [0x41], "a record it cannot take leaves the line as it was")
                                }
                                var encoded: [UInt8] = []
                                encoder.encode(access: record, label: label, into: &encoded)
                                #expect(untimed(encoded, format: format) == untimed(general, format: format))
                                cases += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(cases == 3 * 4 * 9 * 5 * 5 * 5)
        // Plain records take the stack layout (an ASCII client, method and target with nothing to
        // escape: 1 in 9 of these in JSON); the others do not.
        #expect(laidOut >= cases / 9 && laidOut < cases, "\(laidOut) of \(cases)")
    }
}

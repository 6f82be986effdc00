import Foundation
import Logging
import Testing

@testable import HashrCore

@Suite struct LogLineEncoderTests {
    private func line(
        _ format: LogFormat, level: Logger.Level = .info, message: String, metadata: Logger.Metadata? = nil
    ) -> String {
        var encoder = LogLineEncoder(format: format)
        var bytes: [UInt8] = []
        encoder.encode(level: level, label: "worker", source: "WorkerService", message: message, metadata: metadata, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func access(_ format: LogFormat, target: String) -> String {
        var encoder = LogLineEncoder(format: format)
        var bytes: [UInt8] = []
        let record = AccessRecord(
            client: "::1", method: "GET", target: target, status: 404, nanoseconds: 12_345_678, bytes: 33)
        encoder.encode(access: record, label: "worker", into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func object(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line: \(line)")
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func textHasTheStreamHandlersShapeInUTC() {
        let text = line(.text, message: "worker ready", metadata: ["b": "2", "a": "1"])
        // 2026-12-03T07:01:02.345Z info worker: a=1 b=2 [WorkerService] worker ready
        let fields = text.split(separator: " ")
        #expect(fields[0].count == 24 && fields[0].hasSuffix("Z"))
        #expect(fields[1...].joined(separator: " ") == "info worker: a=1 b=2 [WorkerService] worker ready\n")
    }

    @Test func textKeepsEveryEventOnOneLine() {
        let text = line(.text, message: "first\nsecond\r\tthird\u{1}")
        #expect(text.hasSuffix(#"first\nsecond\r\tthird\u0001"# + "\n"))
        #expect(text.dropLast().firstIndex(of: "\n") == nil)
    }

    @Test(arguments: [
        "plain", #"quotes " and \ backslashes"#, "new\nline and \r return", "controls \u{0}\u{1}\u{1F}\u{7F}",
        "unicode é 😀", String(decoding: [0x2F, 0xFF, 0xFE, 0x41] as [UInt8], as: UTF8.self),
    ])
    func jsonIsValidForAnyMessage(message: String) throws {
        let decoded = try object(line(.json, level: .warning, message: message, metadata: ["key": "\(message)"]))
        #expect(decoded["message"] as? String == message)
        #expect(decoded["key"] as? String == message)
        #expect(decoded["level"] as? String == "warning")
        #expect(decoded["severity"] as? String == "WARNING")
        #expect(decoded["logger"] as? String == "worker")
        #expect(decoded["source"] as? String == "WorkerService")
        #expect((decoded["time"] as? String)?.count == 24)
    }

    @Test func metadataNamedLikeAFixedKeyIsRenamed() throws {
        let decoded = try object(line(.json, message: "m", metadata: ["message": "other", "status": "x"]))
        #expect(decoded["message"] as? String == "m")
        #expect(decoded["meta_message"] as? String == "other")
        #expect(decoded["meta_status"] as? String == "x")
    }

    @Test func severitiesAreCloudLoggingsNames() {
        let names = Logger.Level.allCases.map(LogLineEncoder.severity)
        #expect(names == ["DEBUG", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"])
    }

    @Test func accessLinesCarryTheirFieldsAsKeys() throws {
        // A request path with a quote, a backslash and invalid UTF-8 (the parser decodes it with
        // replacement characters) still makes valid JSON.
        let target = "/a\"b\\c" + String(decoding: [0xC3, 0x28] as [UInt8], as: UTF8.self)
        let decoded = try object(access(.json, target: target))
        #expect(decoded["client"] as? String == "::1")
        #expect(decoded["method"] as? String == "GET")
        #expect(decoded["path"] as? String == target)
        #expect(decoded["status"] as? Int == 404)
        #expect(decoded["duration_ms"] as? Double == 12.345)
        #expect(decoded["bytes"] as? Int == 33)
        #expect(decoded["message"] as? String == "GET \(target) 404 12.345ms 33B")
        #expect(decoded["severity"] as? String == "INFO")
    }

    @Test func accessLinesInTextNameTheClient() {
        let text = access(.text, target: "/x?y=1")
        #expect(text.hasSuffix(" info worker: client=::1 [HashrCore] GET /x?y=1 404 12.345ms 33B\n"), "\(text)")
    }

    @Test func durationsKeepThreeDecimals() {
        func milliseconds(_ nanoseconds: UInt64) -> String {
            AccessRecord(client: "-", method: "GET", target: "/", status: 200, nanoseconds: nanoseconds, bytes: 0)
                .message.split(separator: " ")[3].description
        }
        #expect(milliseconds(0) == "0.000ms")
        #expect(milliseconds(5_000) == "0.005ms")
        #expect(milliseconds(45_000) == "0.045ms")
        #expect(milliseconds(1_234_567_890) == "1234.567ms")
    }
}

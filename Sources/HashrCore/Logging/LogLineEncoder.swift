import Logging

/// Turns log events into whole lines of bytes, in the text or the JSON format.
///
/// Text (for a terminal, the shape swift-log's stream handler writes, in UTC):
/// `2026-12-03T07:01:02.345Z info worker: key=value [HashrCore] message`.
/// JSON (one object a line, for a cluster's collector): `time`, `level`, `severity` (the names
/// Google Cloud Logging reads; Loki and most collectors read `level`), `logger`, `message`,
/// `source`, then each metadata key, and for access lines `client`, `method`, `path`, `status`,
/// `duration_ms` and `bytes` as their own keys. Control characters are always escaped, so a line
/// is always one line.
struct LogLineEncoder {
    let format: LogFormat
    private var timestamp = UTCTimestamp()
    /// An access line's bytes between the timestamp and the client, for the last label seen:
    /// the same for every line of a server, so laid out once.
    private var accessPrefix: (label: String, bytes: [UInt8])?

    init(format: LogFormat) {
        self.format = format
    }

    /// Keys a JSON line always has; metadata with one of these names gets a `meta_` prefix.
    private static let reservedKeys: Set = [
        "time", "level", "severity", "logger", "message", "source", "client", "method", "path", "status",
        "duration_ms", "bytes",
    ]

    mutating func encode(
        level: Logger.Level, label: String, source: String, message: String, metadata: Logger.Metadata?,
        into line: inout [UInt8]
    ) {
        switch format {
        case .text:
            appendTextPrefix(level: level, label: label, to: &line)
            if let metadata, !metadata.isEmpty {
                for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                    line.append(UInt8(ascii: " "))
                    JSONText.appendEscaped(key, quotes: false, to: &line)
                    line.append(UInt8(ascii: "="))
                    JSONText.appendEscaped("\(value)", quotes: false, to: &line)
                }
            }
            line.appendUTF8(" [")
            line.appendUTF8(source)
            line.appendUTF8("] ")
            JSONText.appendEscaped(message, quotes: false, to: &line)
            line.append(UInt8(ascii: "\n"))
        case .json:
            appendJSONPrefix(level: level, label: label, to: &line)
            JSONText.appendQuoted(message, to: &line)
            line.appendUTF8(",\"source\":")
            JSONText.appendQuoted(source, to: &line)
            if let metadata {
                for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                    line.append(UInt8(ascii: ","))
                    JSONText.appendQuoted(Self.reservedKeys.contains(key) ? "meta_" + key : key, to: &line)
                    line.append(UInt8(ascii: ":"))
                    JSONText.appendQuoted("\(value)", to: &line)
                }
            }
            line.appendUTF8("}\n")
        }
    }

    mutating func encode(access record: AccessRecord, label: String, into line: inout [UInt8]) {
        if appendPlainLine(access: record, label: label, to: &line) { return }
        appendGeneralLine(access: record, label: label, to: &line)
    }

    /// The access line for any record, piece by piece into the array (the stack layout of
    /// `appendPlainLine` must write the same bytes).
    mutating func appendGeneralLine(access record: AccessRecord, label: String, to line: inout [UInt8]) {
        switch format {
        case .text:
            timestamp.append(to: &line)
            line.append(contentsOf: accessPrefix(label: label))
            line.appendUTF8(record.client)
            line.append(contentsOf: Self.accessSource)
            record.appendMessage(to: &line) { text, out in JSONText.appendEscaped(text, quotes: false, to: &out) }
            line.append(UInt8(ascii: "\n"))
        case .json:
            line.append(contentsOf: Self.jsonTimeKey)
            timestamp.append(to: &line)
            line.append(contentsOf: accessPrefix(label: label))
            record.appendMessage(to: &line) { text, out in JSONText.appendEscaped(text, to: &out) }
            line.appendUTF8("\",\"source\":\"HashrCore\",\"client\":")
            JSONText.appendQuoted(record.client, to: &line)
            line.appendUTF8(",\"method\":")
            JSONText.appendQuoted(record.method, to: &line)
            line.appendUTF8(",\"path\":")
            JSONText.appendQuoted(record.target, to: &line)
            line.appendUTF8(",\"status\":")
            line.appendDecimal(record.status)
            line.appendUTF8(",\"duration_ms\":")
            record.appendMilliseconds(to: &line)
            line.appendUTF8(",\"bytes\":")
            line.appendDecimal(record.bytes)
            line.appendUTF8("}\n")
        }
    }

    /// The access line laid out on the stack and appended in one copy: the line of nearly every
    /// request. False, with nothing appended, when a field from the client needs an escape (a
    /// control character; in JSON also a quote or backslash) or the line would be long; the general
    /// path then writes it.
    mutating func appendPlainLine(
        access record: AccessRecord, label: String, to line: inout [UInt8]
    ) -> Bool {
        let json = format == .json
        let prefix = accessPrefix(label: label)
        // The fields (method and target twice in JSON), six numbers of at most 20 characters, and
        // the keys, separators and units around them.
        let room =
            UTCTimestamp.length + prefix.count + record.client.utf8.count
            + 2 * (record.method.utf8.count + record.target.utf8.count) + 256
        guard room <= 4096 else { return false }
        let time = timestamp.current()
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { buffer in
            var writer = LineWriter(buffer)
            if json { writer.append("{\"time\":\"") }
            writer.append(time)
            writer.append(prefix)
            if !json {
                writer.appendUTF8(record.client)
                writer.append(" [HashrCore] ")
            }
            guard writer.appendUnescaped(record.method, quotes: json) else { return false }
            writer.append(UInt8(ascii: " "))
            guard writer.appendUnescaped(record.target, quotes: json) else { return false }
            writer.append(UInt8(ascii: " "))
            writer.appendDecimal(record.status)
            writer.append(UInt8(ascii: " "))
            Self.writeMilliseconds(record, to: &writer)
            writer.append("ms ")
            writer.appendDecimal(record.bytes)
            guard json else {
                writer.append("B\n")
                line.append(contentsOf: writer.written)
                return true
            }
            writer.append("B\",\"source\":\"HashrCore\",\"client\":\"")
            guard writer.appendUnescaped(record.client, quotes: true) else { return false }
            writer.append("\",\"method\":\"")
            writer.appendUTF8(record.method)
            writer.append("\",\"path\":\"")
            writer.appendUTF8(record.target)
            writer.append("\",\"status\":")
            writer.appendDecimal(record.status)
            writer.append(",\"duration_ms\":")
            Self.writeMilliseconds(record, to: &writer)
            writer.append(",\"bytes\":")
            writer.appendDecimal(record.bytes)
            writer.append("}\n")
            line.append(contentsOf: writer.written)
            return true
        }
    }

    /// `AccessRecord.appendMilliseconds` for a `LineWriter`: three decimals.
    private static func writeMilliseconds(_ record: AccessRecord, to writer: inout LineWriter) {
        let micros = Int(clamping: record.nanoseconds / 1000)
        writer.appendDecimal(micros / 1000)
        writer.append(UInt8(ascii: "."))
        let fraction = micros % 1000
        writer.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        writer.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        writer.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// Text: ` info <label>: client=`; JSON: from the time's closing quote to the message's opening one.
    private mutating func accessPrefix(label: String) -> [UInt8] {
        if let accessPrefix, accessPrefix.label == label { return accessPrefix.bytes }
        var bytes: [UInt8] = []
        switch format {
        case .text:
            bytes.append(UInt8(ascii: " "))
            bytes.appendUTF8(Logger.Level.info.rawValue)
            bytes.append(UInt8(ascii: " "))
            JSONText.appendEscaped(label, quotes: false, to: &bytes)
            bytes.appendUTF8(": client=")
        case .json:
            appendJSONLevelAndLogger(level: .info, label: label, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        accessPrefix = (label, bytes)
        return bytes
    }

    private static let accessSource: [UInt8] = Array(" [HashrCore] ".utf8)
    private static let jsonTimeKey: [UInt8] = Array("{\"time\":\"".utf8)

    private mutating func appendTextPrefix(level: Logger.Level, label: String, to line: inout [UInt8]) {
        timestamp.append(to: &line)
        line.append(UInt8(ascii: " "))
        line.appendUTF8(level.rawValue)
        line.append(UInt8(ascii: " "))
        JSONText.appendEscaped(label, quotes: false, to: &line)
        line.append(UInt8(ascii: ":"))
    }

    /// `{"time":"…","level":"info","severity":"INFO","logger":"worker","message":` (the value follows).
    private mutating func appendJSONPrefix(level: Logger.Level, label: String, to line: inout [UInt8]) {
        line.appendUTF8("{\"time\":\"")
        timestamp.append(to: &line)
        appendJSONLevelAndLogger(level: level, label: label, to: &line)
    }

    /// `","level":"info","severity":"INFO","logger":"worker","message":`, after the time's value.
    private func appendJSONLevelAndLogger(level: Logger.Level, label: String, to line: inout [UInt8]) {
        line.appendUTF8("\",\"level\":\"")
        line.appendUTF8(level.rawValue)
        line.appendUTF8("\",\"severity\":\"")
        line.appendUTF8(Self.severity(level))
        line.appendUTF8("\",\"logger\":")
        JSONText.appendQuoted(label, to: &line)
        line.appendUTF8(",\"message\":")
    }

    /// Google Cloud Logging's `LogSeverity` names.
    static func severity(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }
}

import Logging
import Synchronization

/// Where a `CapturingLogHandler` puts the messages it is given.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    /// A logger at `info` that records every message here.
    func logger() -> Logger {
        Logger(label: "test") { _ in CapturingLogHandler(lines: self) }
    }
}

/// A log handler that keeps messages for a test to read.
struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append("\(event.message)")
    }
}

import Logging
import Synchronization

/// Keeps what loggers made by it were given, for a test to read: each message alone, and each full
/// line (level, label, message, metadata) for checks such as "the password is never logged".
public final class LogCapture: Sendable {
    private let recorded = Mutex<(messages: [String], lines: [String])>(([], []))

    public init() {}

    public var messages: [String] { recorded.withLock { $0.messages } }
    public var lines: [String] { recorded.withLock { $0.lines } }

    /// A logger that records everything at `level` and above here.
    public func logger(label: String = "test", level: Logger.Level = .info) -> Logger {
        Logger(label: label) { label in Handler(label: label, capture: self, logLevel: level) }
    }

    fileprivate func record(message: String, line: String) {
        recorded.withLock {
            $0.messages.append(message)
            $0.lines.append(line)
        }
    }

    private struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        init(label: String, capture: LogCapture, logLevel: Logger.Level) {
            self.label = label
            self.capture = capture
            self.logLevel = logLevel
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.record(message: "\(event.message)", line: "\(event.level) \(label) \(event.message) \(all)")
        }
    }
}

import Logging

/// The server's one line per answered request.
///
/// With the services' own handler the line is encoded straight into the log sink (no message
/// string, no metadata dictionary: this runs for every request); with any other handler (a test's
/// capture) it goes through swift-log as `GET /path 200 0.123ms 44B` with the client as metadata.
final class AccessLog {
    private let logger: Logger
    /// The sink to encode into directly, and the logger's label for it.
    private let sink: LogSink?
    private let label: String
    /// Access lines are `info`: a higher `LOG_LEVEL` turns them off.
    let isEnabled: Bool

    init(logger: Logger) {
        self.logger = logger
        isEnabled = logger.logLevel <= .info
        if let handler = logger.handler as? BufferedLogHandler, handler.metadata.isEmpty {
            sink = handler.sink
            label = handler.label
        } else {
            sink = nil
            label = ""
        }
    }

    func record(_ record: AccessRecord) {
        guard isEnabled else { return }
        if let sink {
            sink.append(access: record, label: label)
        } else {
            logger.info("\(record.message)", metadata: ["client": "\(record.client)"])
        }
    }
}

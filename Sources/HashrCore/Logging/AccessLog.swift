import Logging

/// The server's one line per answered request.
///
/// With the services' own handler the line is encoded straight into the log sink (no message
/// string, no metadata dictionary: this runs for every request); with any other handler (a test's
/// capture) it goes through swift-log as `GET /path 200 0.123ms 44B` with the client as metadata.
final class AccessLog {
    private let logger: Logger
    private let direct: (sink: LogSink, label: String)?
    /// Access lines are `info`: a higher `LOG_LEVEL` turns them off.
    let isEnabled: Bool

    init(logger: Logger) {
        self.logger = logger
        isEnabled = logger.logLevel <= .info
        if let handler = logger.handler as? BufferedLogHandler, handler.metadata.isEmpty {
            direct = (handler.sink, handler.label)
        } else {
            direct = nil
        }
    }

    func record(_ record: AccessRecord) {
        guard isEnabled else { return }
        if let direct {
            direct.sink.append(access: record, label: direct.label)
        } else {
            logger.info("\(record.message)", metadata: ["client": "\(record.client)"])
        }
    }
}

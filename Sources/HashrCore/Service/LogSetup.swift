import Logging

/// Logging for the executables: every line through one buffered `LogSink` on standard output,
/// level from `LOG_LEVEL`, format from `LOG_FORMAT`.
public enum LogSetup {
    public static func level(from environment: EnvironmentReader) throws -> Logger.Level {
        let names = Logger.Level.allCases.map(\.rawValue)
        let text = try environment.choice("LOG_LEVEL", default: "info", from: names)
        return Logger.Level(rawValue: text) ?? .info
    }

    public static func format(from environment: EnvironmentReader) throws -> LogFormat {
        let text = try environment.choice("LOG_FORMAT", default: "text", from: LogFormat.allCases.map(\.rawValue))
        return LogFormat(rawValue: text) ?? .text
    }

    nonisolated(unsafe) private static var chosenLevel = Logger.Level.info

    /// Call once, before any logger or event loop is made.
    public static func bootstrap(level: Logger.Level, format: LogFormat) {
        chosenLevel = level
        let sink = LogSink(format: format)
        LogSink.install(sink)
        LoggingSystem.bootstrap { label in BufferedLogHandler(label: label, sink: sink, logLevel: level) }
    }

    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = chosenLevel
        return logger
    }
}

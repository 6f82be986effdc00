import Logging

/// Logging for the executables: one line per event on standard output, level from `LOG_LEVEL`.
public enum LogSetup {
    public static func level(from environment: EnvironmentReader) throws -> Logger.Level {
        let names = Logger.Level.allCases.map(\.rawValue)
        let text = try environment.choice("LOG_LEVEL", default: "info", from: names)
        return Logger.Level(rawValue: text) ?? .info
    }

    nonisolated(unsafe) private static var chosenLevel = Logger.Level.info

    /// Call once, before any logger is made.
    public static func bootstrap(level: Logger.Level) {
        chosenLevel = level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }

    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = chosenLevel
        return logger
    }
}

import Logging

/// The services' `LogHandler`: every event becomes one line in the process's `LogSink`.
public struct BufferedLogHandler: LogHandler {
    public let label: String
    public let sink: LogSink
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, sink: LogSink, logLevel: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink.append(
            level: event.level, label: label, source: event.source, message: "\(event.message)",
            metadata: merged.isEmpty ? nil : merged)
    }
}

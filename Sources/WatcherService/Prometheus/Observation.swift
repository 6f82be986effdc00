/// What one Prometheus query told us about the request rate.
///
/// The original watcher read every failure as zero traffic and so moved traffic back to primary
/// during an outage. These four outcomes are kept apart all the way to the policy.
public enum Observation: Sendable, Equatable {
    /// A finite rate in requests per second.
    case value(Double)
    /// The query matched no series (an empty vector): nothing was measured.
    case noData
    /// The query produced `NaN`, `+Inf` or `-Inf`; the associated text is what Prometheus sent.
    case notANumber(String)
    /// The query failed; the message says why, for the log.
    case error(String)

    /// The outcome's kind, e.g. for a metric label.
    public enum Kind: String, Sendable, CaseIterable {
        case value
        case noData = "no_data"
        case notANumber = "nan"
        case error
    }

    /// The outcome's kind, without its value or message.
    public var kind: Kind {
        switch self {
        case .value: .value
        case .noData: .noData
        case .notANumber: .notANumber
        case .error: .error
        }
    }
}

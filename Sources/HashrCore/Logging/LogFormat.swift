/// How log lines are written: `text` for a person at a terminal, `json` (one object a line) for a
/// cluster's log collector.
public enum LogFormat: String, CaseIterable, Sendable {
    case text
    case json
}

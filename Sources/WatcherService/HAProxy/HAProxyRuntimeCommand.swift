import HashrCore

/// The two HAProxy runtime API commands the router needs, and how to read their replies.
///
/// Pure text in, text out; the socket is someone else's job. A command is one line; in the
/// non-interactive mode HAProxy answers it and closes the connection.
public enum HAProxyRuntimeCommand {
    /// HAProxy accepts server weights 0...256.
    public static let weights = 0...256

    /// `get weight <backend>/<server>`; the answer is `<current> (initial <configured>)`.
    public static func getWeight(backend: String, server: String) -> String {
        "get weight \(backend)/\(server)\n"
    }

    /// `set weight <backend>/<server> <weight>`; the answer is empty on success.
    public static func setWeight(backend: String, server: String, weight: Int) -> String {
        "set weight \(backend)/\(server) \(weight)\n"
    }

    /// The current weight from a `get weight` reply such as `100 (initial 100)`.
    /// Anything else (`No such server.`, `No such backend.`, `Permission denied`) is HAProxy's
    /// explanation and becomes the error message.
    public static func parseWeight(_ reply: String, server: String) throws(RouterError) -> Int {
        let text = trimmed(reply)
        if let weight = currentWeight(text), weights.contains(weight) {
            return weight
        }
        throw RouterError(.refused, "HAProxy could not tell the weight of \(server): \(describe(text))")
    }

    /// Checks a `set weight` reply: empty means done, any text is HAProxy refusing.
    public static func checkSetReply(_ reply: String, server: String) throws(RouterError) {
        let text = trimmed(reply)
        guard text.isEmpty else {
            throw RouterError(.refused, "HAProxy refused to set the weight of \(server): \(describe(text))")
        }
    }

    /// The first number of exactly `<digits> (initial <digits>)`. By hand rather than with a Regex:
    /// the watcher reads the weight every poll, and running a Regex pages in the regex parser and
    /// engine, about 0.9 MB of an idle watcher's memory (bench/memory).
    private static func currentWeight(_ text: String) -> Int? {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isASCIIDigits, parts[1] == "(initial", parts[2].last == ")",
            parts[2].dropLast().isASCIIDigits
        else { return nil }
        return Int(parts[0])
    }

    private static func trimmed(_ reply: String) -> String {
        var text = Substring(reply)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        return String(text)
    }

    private static func describe(_ text: String) -> String {
        if text.isEmpty { return "empty reply (is the stats socket at level admin?)" }
        return String(text.prefix(300).map { $0.isNewline ? " " : $0 })
    }
}

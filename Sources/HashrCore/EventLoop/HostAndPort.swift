/// A host and a TCP port as settings and URLs write them: `host:port`, `[v6-address]:port`, or
/// the host alone where the caller has a default port. The one reader of that shape, so
/// `REDIS_URL`, `PROCESSOR_URL`, `HAPROXY_ADDR` and `PROMETHEUS_URL` agree on it.
///
/// An IPv6 address needs its brackets when a port follows or may follow (`::1:80` could be either),
/// so a host with a colon is only ever read from inside brackets. The host is otherwise taken as
/// written: name lookup, or a caller's own narrower rules, decide whether it names anything.
public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
    /// A name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a text is not a host and port; the description says what was wrong with it.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case emptyHost
        case whitespaceInHost
        case unclosedBracket
        case unexpectedAfterBracket
        case unbracketedIPv6
        case missingPort
        case badPort(String)

        public var description: String {
            switch self {
            case .emptyHost: "the host is empty"
            case .whitespaceInHost: "the host contains white space"
            case .unclosedBracket: "a '[' without its ']'"
            case .unexpectedAfterBracket: "after ']' only ':port' may follow"
            case .unbracketedIPv6: "an IPv6 address needs brackets: [address]:port"
            case .missingPort: "the port is missing"
            case .badPort(let text): "the port '\(text)' is not a number from 1 to 65535"
            }
        }
    }

    /// Reads `host:port` or `[v6-address]:port`; without `:port`, takes `defaultPort`, or throws
    /// `missingPort` when there is none.
    public init(parsing text: some StringProtocol, defaultPort: Int? = nil) throws(ParseError) {
        let text = Substring(text)
        let host: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .unclosedBracket }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else {
                guard after.hasPrefix(":") else { throw .unexpectedAfterBracket }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            let rest = text[text.index(after: colon)...]
            guard !rest.contains(":") else { throw .unbracketedIPv6 }
            host = text[..<colon]
            portText = rest
        } else {
            host = text
            portText = nil
        }
        guard !host.isEmpty else { throw .emptyHost }
        guard !host.contains(where: \.isWhitespace) else { throw .whitespaceInHost }
        if let portText {
            guard !portText.isEmpty else { throw .missingPort }
            guard portText.isASCIIDigits, let port = Int(portText), (1...65535).contains(port)
            else { throw .badPort(String(portText)) }
            self.init(host: String(host), port: port)
        } else {
            guard let defaultPort else { throw .missingPort }
            self.init(host: String(host), port: defaultPort)
        }
    }

    /// The host as it goes before `:port` (and into a URL or a `Host` header): IPv6 in brackets.
    public var bracketedHost: String {
        host.contains(":") ? "[\(host)]" : host
    }

    /// `host:port`, IPv6 in brackets: what `init(parsing:)` reads back.
    public var description: String { "\(bracketedHost):\(port)" }
}

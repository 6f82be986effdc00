/// Where requests go: an `http://host[:port][/base]` (or, for a client with TLS, `https://`) URL
/// taken apart.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// The path prefix from the URL, without a trailing slash ("" for none).
    public let basePath: String
    /// `https://`: the connection speaks TLS, through the client's `TLSClientContext`.
    public let usesTLS: Bool

    public init(host: String, port: Int, basePath: String = "", usesTLS: Bool = false) {
        self.host = host
        self.port = port
        self.basePath = basePath
        self.usesTLS = usesTLS
    }

    /// Parses `http://host[:port][/path]`, and `https://` too when `allowingTLS`; nil for anything
    /// else. Services without TLS (the frontend) leave `allowingTLS` off, so an `https://` URL is a
    /// configuration error at start, not a failure on every request.
    public init?(url: String, allowingTLS: Bool = false) {
        let usesTLS: Bool
        let rest: Substring
        if url.hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst("http://".count)
        } else if allowingTLS, url.hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst("https://".count)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty, !authority.contains("@"), !path.contains("?"), !path.contains(" ") else { return nil }
        let defaultPort = usesTLS ? 443 : 80
        guard let address = try? HostAndPort(parsing: authority, defaultPort: defaultPort),
            address.host.utf8.allSatisfy({ HTTPSyntax.isTokenByte($0) || $0 == UInt8(ascii: ":") })
        else { return nil }
        self.init(host: address.host, port: address.port, basePath: path, usesTLS: usesTLS)
    }

    /// The `Host` header value (the port left out when it is the scheme's default).
    public var authority: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (usesTLS ? 443 : 80) ? name : "\(name):\(port)"
    }

    public var description: String { "\(usesTLS ? "https" : "http")://\(authority)\(basePath)" }
}

/// Where requests go: an `http://host[:port][/base]` URL taken apart.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// The path prefix from the URL, without a trailing slash ("" for none).
    public let basePath: String

    public init(host: String, port: Int, basePath: String = "") {
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `http://host[:port][/path]`; nil for anything else (https is not spoken here).
    public init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty, !authority.contains("@"), !path.contains("?"), !path.contains(" ") else { return nil }
        guard let address = try? HostAndPort(parsing: authority, defaultPort: 80),
            address.host.utf8.allSatisfy({ HTTPSyntax.isTokenByte($0) || $0 == UInt8(ascii: ":") })
        else { return nil }
        self.init(host: address.host, port: address.port, basePath: path)
    }

    /// The `Host` header value.
    public var authority: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    public var description: String { "http://\(authority)\(basePath)" }
}

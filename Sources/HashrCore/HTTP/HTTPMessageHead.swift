/// The HTTP version of a message; only 1.0 and 1.1 are spoken here.
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// A request line and its header fields.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent, e.g. `/api/rate?x=1` or `*`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target without its query string.
    public var path: Substring {
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return Substring(target) }
        return target[..<question]
    }

    /// Whether the connection stays open after this exchange: 1.1 unless `Connection: close`,
    /// 1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool { headers.keepAlive(version: version) }
}

/// A status line and its header fields.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    public init(version: HTTPVersion = .http1_1, status: Int, reason: String = "", headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    public var keepAlive: Bool { headers.keepAlive(version: version) }
}

extension HTTPHeaders {
    func keepAlive(version: HTTPVersion) -> Bool {
        if hasToken("connection", "close") { return false }
        if version == .http1_0 { return hasToken("connection", "keep-alive") }
        return true
    }
}

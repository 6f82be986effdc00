/// Where a Redis server is and how to log in: `host:port` or `redis://[user:password@]host:port[/db]`.
///
/// The password is kept for AUTH only: `description`, `debugDescription` and the mirror all hide it,
/// so a URL can be logged or interpolated freely.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A host name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    public var port: Int
    /// The ACL user for `AUTH user password`; nil sends `AUTH password` (the default user).
    public var username: String?
    public var password: String?
    /// The logical database to SELECT after connecting; 0 needs no SELECT.
    public var database: Int

    public static let defaultPort = 6379

    public init(
        host: String, port: Int = RedisURL.defaultPort, username: String? = nil, password: String? = nil,
        database: Int = 0
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `host:port`, `host`, or `redis://[[user]:password@]host[:port][/db]`. User and password
    /// may be percent-encoded. Throws a `ConfigurationError` naming `variable`, with any password in
    /// the offending value masked.
    public init(parsing text: String, variable: String = "REDIS_URL") throws {
        guard let url = Self.parse(text.trimmingSpaces()) else {
            throw ConfigurationError(
                variable: variable, value: Self.redacting(text),
                expected: "host:port or redis://[user:password@]host:port[/db] (port 1-65535, db 0 or more)")
        }
        self = url
    }

    public var description: String {
        var text = "redis://"
        if username != nil || password != nil {
            text += username ?? ""
            if password != nil { text += ":***" }
            text += "@"
        }
        text += host.contains(":" as Character) ? "[\(host)]" : host
        text += ":\(port)"
        if database != 0 { text += "/\(database)" }
        return text
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "username": username as Any, "database": database])
    }

    private static func parse(_ text: String) -> RedisURL? {
        var rest = Substring(text)
        var username: String?
        var password: String?
        var database = 0
        if rest.lowercased().hasPrefix("redis://") {
            rest = rest.dropFirst("redis://".count)
            if let slash = rest.firstIndex(of: "/") {
                let path = rest[rest.index(after: slash)...]
                rest = rest[..<slash]
                if !path.isEmpty {
                    guard let number = Int(path), number >= 0 else { return nil }
                    database = number
                }
            }
            // The last "@" ends the user information: a raw "@" in a password is common enough.
            if let at = rest.lastIndex(of: "@") {
                let userInfo = rest[..<at]
                rest = rest[rest.index(after: at)...]
                if let colon = userInfo.firstIndex(of: ":") {
                    guard let user = percentDecoded(userInfo[..<colon]),
                        let secret = percentDecoded(userInfo[userInfo.index(after: colon)...])
                    else { return nil }
                    username = user.isEmpty ? nil : user
                    password = secret
                } else {
                    // `redis://name@host` is the password-only form of older clients.
                    guard let secret = percentDecoded(userInfo), !secret.isEmpty else { return nil }
                    password = secret
                }
            }
        } else if rest.contains(characters: "://") || rest.contains("@" as Character) || rest.contains("/" as Character) {
            return nil
        }
        guard let address = try? HostAndPort(parsing: rest, defaultPort: defaultPort) else { return nil }
        return RedisURL(
            host: address.host, port: address.port, username: username, password: password, database: database)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex,
                    let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                index = utf8.index(after: low)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `text` with whatever sits between the user name and the host replaced by `***`, for error
    /// messages about a URL that did not parse (and so may still hold a password).
    static func redacting(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.firstRange(ofCharacters: "://").map { $0.upperBound } ?? text.startIndex
        guard start <= at else { return text }
        let userInfo = text[start..<at]
        let user = userInfo.firstIndex(of: ":").map { userInfo[..<$0] } ?? ""
        return String(text[..<start]) + user + ":***" + String(text[at...])
    }
}

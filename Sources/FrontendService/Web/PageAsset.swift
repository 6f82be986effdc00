/// One file of the page, ready to answer `GET` with.
public struct PageAsset: Sendable, Equatable {
    /// The `Content-Type` header value.
    public let contentType: String
    /// The file's bytes, read once at start.
    public let body: [UInt8]
    /// A strong validator of `body` for `ETag` and `If-None-Match`, quoted as the header wants it.
    public let etag: String

    public init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
        self.etag = "\"" + Self.fingerprint(body) + "\""
    }

    /// The content type for a file name, from its extension.
    public static func contentType(forFileName name: String) -> String {
        let fileExtension = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch fileExtension {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// FNV-1a, 64 bits, in hex: enough to tell one deployed version of a file from another.
    static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// What the fields of one message head say about its framing and its connection, gathered by the
/// parser as each field is read, so that neither it nor the server rescans the fields (comparing
/// every name with several others) for every request.
///
/// Each fact agrees with a rescan of the head's fields (`HTTPHeaders.count(of:)`, `contains`,
/// `hasToken`, the first `expect` value); the tests hold them to that.
struct HTTPHeadFacts: Sendable, Equatable {
    /// The fields whose meaning the parser or the server needs, told apart by their names'
    /// lengths first: nearly every other name is a different length from all of them.
    enum FieldName: Sendable, Equatable {
        case host, contentLength, transferEncoding, connection, expect, other

        init(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 4: self = HTTPSyntax.equalsLowercased(name, "host") ? .host : .other
            case 6: self = HTTPSyntax.equalsLowercased(name, "expect") ? .expect : .other
            case 10: self = HTTPSyntax.equalsLowercased(name, "connection") ? .connection : .other
            case 14: self = HTTPSyntax.equalsLowercased(name, "content-length") ? .contentLength : .other
            case 17: self = HTTPSyntax.equalsLowercased(name, "transfer-encoding") ? .transferEncoding : .other
            default: self = .other
            }
        }

        /// The fields that frame a response and say whether its connection stays open.
        var isFraming: Bool { self == .contentLength || self == .transferEncoding || self == .connection }
    }

    /// Host fields.
    var hostCount = 0
    /// The length every Content-Length value agrees on, if there is one and nothing is wrong with any.
    var contentLength: Int?
    /// The first thing wrong with the Content-Length values. Thrown only where the framing is
    /// decided, after the checks that come before it, and not at all where a response has no body.
    var contentLengthError: HTTPParserError?
    var hasTransferEncoding = false
    /// A `close` token in a Connection field.
    var connectionClose = false
    /// A `keep-alive` token in a Connection field.
    var connectionKeepAlive = false
    /// The first Expect field, if any, is `100-continue` in any case.
    var expectsContinue = false
    private var sawExpect = false

    /// Takes in one field, checked and trimmed already.
    mutating func add(_ name: FieldName, value: UnsafeBufferPointer<UInt8>) {
        switch name {
        case .host:
            hostCount += 1
        case .contentLength:
            if contentLengthError == nil { addContentLength(value) }
        case .transferEncoding:
            hasTransferEncoding = true
        case .connection:
            Self.forEachToken(value) { token in
                if HTTPSyntax.equalsLowercased(token, "close") { connectionClose = true }
                if HTTPSyntax.equalsLowercased(token, "keep-alive") { connectionKeepAlive = true }
            }
        case .expect:
            // Only the first Expect counts, as `headers["expect"]` reads only the first.
            if !sawExpect { expectsContinue = HTTPSyntax.equalsLowercased(value, "100-continue") }
            sawExpect = true
        case .other:
            break
        }
    }

    /// Whether the connection stays open after this message: 1.1 unless `Connection: close`, 1.0
    /// only with `Connection: keep-alive` (as `HTTPHeaders.keepAlive(version:)`).
    func keepAlive(version: HTTPVersion) -> Bool {
        if connectionClose { return false }
        if version == .http1_0 { return connectionKeepAlive }
        return true
    }

    /// Every value (several fields, or a comma list) must be the same run of 1 to 15 digits:
    /// anything else is ambiguous framing.
    private mutating func addContentLength(_ value: UnsafeBufferPointer<UInt8>) {
        var start = 0
        while true {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            let next = end + 1
            while start < end && (value[start] == 0x20 || value[start] == 0x09) { start += 1 }
            while end > start && (value[end - 1] == 0x20 || value[end - 1] == 0x09) { end -= 1 }
            guard end > start, end - start <= 15 else {
                return contentLengthError = .badRequest("invalid Content-Length")
            }
            var length = 0
            for index in start..<end {
                guard let digit = HTTPSyntax.digit(value[index]) else {
                    return contentLengthError = .badRequest("invalid Content-Length")
                }
                length = length * 10 + digit
            }
            if let previous = contentLength, previous != length {
                return contentLengthError = .badRequest("conflicting Content-Length values")
            }
            contentLength = length
            if next > value.count { return }
            start = next
        }
    }

    /// Calls `body` with each comma-separated item of `value`, trimmed of spaces and tabs.
    private static func forEachToken(
        _ value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            let next = end + 1
            while start < end && (value[start] == 0x20 || value[start] == 0x09) { start += 1 }
            while end > start && (value[end - 1] == 0x20 || value[end - 1] == 0x09) { end -= 1 }
            body(UnsafeBufferPointer(rebasing: value[start..<end]))
            start = next
        }
    }
}

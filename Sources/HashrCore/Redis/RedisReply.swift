import CHiredis

/// A reply from Redis, copied out of hiredis's `redisReply` (which lives only during its callback).
public enum RedisReply: Sendable, Equatable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error nested inside an array (a top-level error reply fails the command instead).
    case error(String)
    case integer(Int64)
    /// A bulk string: arbitrary bytes.
    case bulk([UInt8])
    case array([RedisReply])
    /// The nil bulk string or nil array, e.g. GET on a missing key.
    case null

    /// Status text, or a bulk string decoded as UTF-8.
    public var stringValue: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    public var bytesValue: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var arrayValue: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Copies a hiredis reply tree. Only valid inside the reply callback that received `reply`.
    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS: self = .status(Self.text(value))
        case REDIS_REPLY_ERROR: self = .error(Self.text(value))
        case REDIS_REPLY_INTEGER: self = .integer(Int64(value.integer))
        case REDIS_REPLY_STRING: self = .bulk(Self.bytes(value))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element[index] { elements.append(RedisReply(element)) }
            }
            self = .array(elements)
        default: self = .null
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let pointer = reply.str, reply.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: reply.len))
    }

    private static func text(_ reply: redisReply) -> String {
        String(decoding: bytes(reply), as: UTF8.self)
    }
}

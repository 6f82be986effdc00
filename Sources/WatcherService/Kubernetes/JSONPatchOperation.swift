/// One operation of an RFC 6902 JSON Patch (`application/json-patch+json`), as the router sends them.
///
/// The router needs three: `test` (the object is still the version it read), `replace` (a weight that
/// is there) and `add` (a weight that is missing: `replace` of an absent member fails, `add` on an
/// object member sets it). Paths are JSON Pointers built from fixed keys and indexes, so no `~0`/`~1`
/// escaping is needed.
public struct JSONPatchOperation: Encodable, Sendable, Equatable {
    public enum Operation: String, Encodable, Sendable {
        case test, add, replace
    }

    /// A patch value: the router only ever writes weights and tests a resourceVersion.
    public enum Value: Encodable, Sendable, Equatable {
        case integer(Int)
        case string(String)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .integer(let value): try container.encode(value)
            case .string(let value): try container.encode(value)
            }
        }
    }

    public var op: Operation
    public var path: String
    public var value: Value

    public init(_ op: Operation, _ path: String, _ value: Value) {
        self.op = op
        self.path = path
        self.value = value
    }
}

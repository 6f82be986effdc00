/// The names `Transport/BlockingHTTPClientTests` (owned with the transport, which is being
/// replaced) still use from the JSON parser this target had; they now mean `JSONTree`. Remove
/// with those tests' next change.
typealias JSONValue = JSONTree

enum JSONParser {
    static func parse(_ bytes: [UInt8]) throws -> JSONTree { try JSONTree.parse(bytes) }
    static func parse(_ text: String) throws -> JSONTree { try JSONTree.parse(text) }
}

extension JSONTree {
    var serializedBytes: [UInt8] { bytes }
}

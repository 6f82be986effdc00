import FoundationEssentials

/// The one way the watcher reads and writes JSON: `Codable` with FoundationEssentials' coders.
enum KubernetesJSON {
    /// Keys sorted so that equal values always give equal bytes (logs and tests can compare them);
    /// slashes unescaped so JSON Pointer paths read as written.
    static func encode(_ value: some Encodable) throws(RouterError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return [UInt8](try encoder.encode(value))
        } catch {
            throw RouterError(.unusableRoute, "cannot encode \(type(of: value)) as JSON: \(error)")
        }
    }

    /// `type` from `bytes`; the error is the decoder's, for the caller to put in context.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Where and what went wrong in a decode, e.g. `at spec.http[0].route: expected an array`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "at \(path(context.codingPath)): expected \(expected(type))"
        case .valueNotFound(let type, let context):
            return "at \(path(context.codingPath)): expected \(expected(type)), found null"
        case .keyNotFound(let key, let context):
            return "at \(path(context.codingPath)): \"\(key.stringValue)\" is missing"
        case .dataCorrupted(let context):
            let cause = context.underlyingError.map { " (\($0))" } ?? ""
            return "not valid JSON at \(path(context.codingPath)): \(context.debugDescription)\(cause)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func expected(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name.hasPrefix("Dictionary") || name.contains("KeyedDecodingContainer") { return "an object" }
        if name == "String" { return "a string" }
        if name.hasPrefix("Int") || name == "Double" { return "a number" }
        return name
    }
}

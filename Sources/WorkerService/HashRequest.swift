import Foundation

/// The body of `POST /`: a JSON object whose `str` is a string. Everything else is refused with
/// a reason the client can act on.
public enum HashRequest {
    public static func parse(_ body: [UInt8]) -> Result<String, HashRequestError> {
        guard !body.isEmpty else { return .failure(HashRequestError("empty body: expected JSON {\"str\": \"...\"}")) }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            return .failure(HashRequestError("body is not valid JSON"))
        }
        guard let object = value as? [String: Any] else {
            return .failure(HashRequestError("body must be a JSON object with a string field \"str\""))
        }
        guard let field = object["str"] else { return .failure(HashRequestError("missing field \"str\"")) }
        // NSNumber bridges to String on some platforms; insist on a real JSON string.
        guard !(field is NSNumber), !(field is NSNull), let text = field as? String else {
            return .failure(HashRequestError("field \"str\" must be a string, got \(Self.kind(of: field))"))
        }
        return .success(text)
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: "null"
        // JSON booleans arrive as NSNumber of C type char.
        case let number as NSNumber: String(cString: number.objCType) == "c" ? "a boolean" : "a number"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "another type"
        }
    }
}

/// Why a hash request was refused.
public struct HashRequestError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

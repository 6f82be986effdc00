import FoundationEssentials

/// The body of `POST /`: a JSON object whose `str` is a string. Everything else is refused with
/// a reason the client can act on.
public enum HashRequest {
    public static func parse(_ body: [UInt8]) -> Result<String, HashRequestError> {
        guard !body.isEmpty else { return .failure(HashRequestError("empty body: expected JSON {\"str\": \"...\"}")) }
        if let text = plainBody(body) { return .success(text) }
        return decode(body)
    }

    /// The body through `JSONDecoder`: what decides every refusal and its reason.
    static func decode(_ body: [UInt8]) -> Result<String, HashRequestError> {
        do {
            return .success(try JSONDecoder().decode(Body.self, from: Data(body)).text)
        } catch let error as HashRequestError {
            return .failure(error)
        } catch DecodingError.dataCorrupted {
            return .failure(HashRequestError("body is not valid JSON"))
        } catch {
            return .failure(HashRequestError("body must be a JSON object with a string field \"str\""))
        }
    }

    /// The shape every frontend request has, `{"str":"..."}` with nothing to unescape, read without
    /// the decoder (a tenth of the worker's CPU per request went to `JSONDecoder` here). Anything
    /// else (escapes, other fields, other layouts, errors) is nil and goes to the decoder, so the
    /// decoder alone decides what is refused and why.
    static func plainBody(_ body: [UInt8]) -> String? {
        guard let plain = plainText(body) else { return nil }
        return body.withUnsafeBufferPointer { bytes in
            let text = UnsafeBufferPointer(rebasing: bytes[plain.range])
            // ASCII is valid UTF-8, and decoding it costs a tenth of validating it.
            if plain.isASCII { return String(decoding: text, as: UTF8.self) }
            // Invalid UTF-8 is for the decoder to refuse.
            return String(validating: text, as: UTF8.self)
        }
    }

    /// Where `plainBody`'s string lies in the body, and whether it is all ASCII (then it is valid
    /// UTF-8, and its bytes can be hashed without making a string of them).
    static func plainText(_ body: [UInt8]) -> (range: Range<Int>, isASCII: Bool)? {
        body.withUnsafeBufferPointer { bytes -> (range: Range<Int>, isASCII: Bool)? in
            var index = 0
            @inline(__always) func skipSpaces() {
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A
                    || bytes[index] == 0x0D
                { index += 1 }
            }
            @inline(__always) func take(_ expected: StaticString) -> Bool {
                let count = expected.utf8CodeUnitCount
                guard bytes.count - index >= count else { return false }
                for offset in 0..<count where bytes[index + offset] != expected.utf8Start[offset] { return false }
                index += count
                return true
            }
            skipSpaces()
            guard take("{") else { return nil }
            skipSpaces()
            guard take("\"str\"") else { return nil }
            skipSpaces()
            guard take(":") else { return nil }
            skipSpaces()
            guard take("\"") else { return nil }
            let start = index
            var ascii = true
            // A quote ends the string; a backslash or a control character needs the decoder.
            while index < bytes.count, bytes[index] != 0x22 {
                guard bytes[index] != 0x5C, bytes[index] >= 0x20 else { return nil }
                if bytes[index] >= 0x80 { ascii = false }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let end = index
            index += 1
            skipSpaces()
            guard take("}") else { return nil }
            skipSpaces()
            guard index == bytes.count else { return nil }
            return (start..<end, ascii)
        }
    }

    /// `{"str": "..."}`; other fields are ignored.
    private struct Body: Decodable {
        let text: String

        private enum Keys: String, CodingKey { case str }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Keys.self)
            guard object.contains(.str) else { throw HashRequestError("missing field \"str\"") }
            if try object.decodeNil(forKey: .str) {
                throw HashRequestError("field \"str\" must be a string, got null")
            }
            switch try object.decode(JSONKind.self, forKey: .str) {
            case .string(let text): self.text = text
            case .other(let kind): throw HashRequestError("field \"str\" must be a string, got \(kind)")
            }
        }
    }

    /// A JSON value that should be a string, or the name of what it is instead.
    private enum JSONKind: Decodable {
        case string(String)
        case other(String)

        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let text = try? value.decode(String.self) {
                self = .string(text)
            } else if (try? value.decode(Bool.self)) != nil {
                self = .other("a boolean")
            } else if (try? value.decode(Double.self)) != nil {
                self = .other("a number")
            } else if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
                self = .other("an object")
            } else {
                self = .other("an array")
            }
        }
    }
}

/// Why a hash request was refused.
public struct HashRequestError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

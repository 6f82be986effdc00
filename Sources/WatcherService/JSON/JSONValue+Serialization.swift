import HashrCore

extension JSONValue {
    /// Compact JSON text. Numbers are written exactly as they were read, so an unedited part of a
    /// document serializes to what it was apart from whitespace.
    public var serialized: String {
        var output = ""
        write(into: &output)
        return output
    }

    /// The UTF-8 bytes of `serialized`, ready to send as a request body.
    public var serializedBytes: [UInt8] { Array(serialized.utf8) }

    private func write(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): Self.writeString(text, into: &output)
        case .array(let elements):
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                element.write(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (position, member) in members.enumerated() {
                if position > 0 { output += "," }
                Self.writeString(member.key, into: &output)
                output += ":"
                member.value.write(into: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += JSONText.quoted(text)
    }
}

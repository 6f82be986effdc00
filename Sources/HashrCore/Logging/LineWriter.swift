/// Lays a log line out in memory the caller provides and has sized for the whole line (on the
/// stack), so that the line reaches the sink's buffer in one copy: each piece appended to an
/// array costs a uniqueness and capacity check and a generic copy, a dozen times per access line.
struct LineWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    /// Writes into `buffer`, which must have room for everything written.
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// What was written.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[..<count]) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(count + bytes.count <= buffer.count, "a log line outgrew its buffer")
        UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends `text` if no byte of it needs an escape (a control character, and unless `quotes` is
    /// false a quote or a backslash: what `JSONText.appendEscaped` escapes); returns false, having
    /// written nothing, if one does.
    mutating func appendUnescaped(_ text: String, quotes: Bool) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard !utf8.contains(where: { JSONText.needsEscape($0, quotes: quotes) }) else { return false }
            append(utf8)
            return true
        }
    }

    /// A whole number in decimal.
    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            return appendDecimal(value.magnitude)
        }
        appendDecimal(UInt(value))
    }

    mutating func appendDecimal(_ value: UInt) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        precondition(count + digits <= buffer.count, "a log line outgrew its buffer")
        rest = value
        for index in stride(from: count + digits - 1, through: count, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += digits
    }
}

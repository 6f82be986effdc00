/// What the access log says of one answered request.
public struct AccessRecord: Sendable {
    /// The peer's address (`127.0.0.1`, `::1`), or `-` when it could not be read.
    public var client: String
    public var method: String
    /// The request target as sent, query included.
    public var target: String
    public var status: Int
    public var nanoseconds: UInt64
    /// Body bytes sent.
    public var bytes: Int

    public init(client: String, method: String, target: String, status: Int, nanoseconds: UInt64, bytes: Int) {
        self.client = client
        self.method = method
        self.target = target
        self.status = status
        self.nanoseconds = nanoseconds
        self.bytes = bytes
    }

    /// `GET /path 200 0.123ms 44B`: the text of the line, in either format.
    public var message: String {
        var bytes: [UInt8] = []
        appendMessage(to: &bytes, escape: { text, out in out.appendUTF8(text) })
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the message, passing each piece that came from the client through `escape`.
    func appendMessage(to line: inout [UInt8], escape: (String, inout [UInt8]) -> Void) {
        escape(method, &line)
        line.append(UInt8(ascii: " "))
        escape(target, &line)
        line.append(UInt8(ascii: " "))
        line.appendDecimal(status)
        line.append(UInt8(ascii: " "))
        appendMilliseconds(to: &line)
        line.appendUTF8("ms ")
        line.appendDecimal(bytes)
        line.append(UInt8(ascii: "B"))
    }

    /// The duration in milliseconds with three decimals (`12.345`).
    func appendMilliseconds(to line: inout [UInt8]) {
        let micros = Int(clamping: nanoseconds / 1000)
        line.appendDecimal(micros / 1000)
        line.append(UInt8(ascii: "."))
        let fraction = micros % 1000
        if fraction < 100 { line.append(UInt8(ascii: "0")) }
        if fraction < 10 { line.append(UInt8(ascii: "0")) }
        line.appendDecimal(fraction)
    }
}

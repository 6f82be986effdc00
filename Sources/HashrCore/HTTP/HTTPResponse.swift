/// A complete response: status, headers and a body sent with `Content-Length`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Plain text with a trailing newline.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array((text + "\n").utf8))
    }

    /// A JSON body given as already-encoded bytes.
    public static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: jsonHeaders, body: body)
    }

    /// Shared by every JSON answer: a copy is a reference, where a new list would be an allocation.
    private static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    /// `{"error": "<message>"}`: how every bad request is answered.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(Array("{\"error\":\(JSONText.quoted(message))}\n".utf8), status: status)
    }
}

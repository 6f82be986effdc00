/// One request for `HTTPClient`.
public struct HTTPClientRequest: Sendable {
    public var method: String { didSet { preencoded = nil } }
    public var endpoint: HTTPEndpoint { didSet { preencoded = nil } }
    /// Path and query, appended to the endpoint's base path.
    public var path: String { didSet { preencoded = nil } }
    public var headers: HTTPHeaders { didSet { preencoded = nil } }
    public var body: [UInt8]
    /// Overrides the client's default timeout for this request.
    public var timeout: Duration?
    /// False: the response's `headers` hold only the fields that frame it (Content-Length,
    /// Transfer-Encoding, Connection), which spares making strings of the rest, for a caller that
    /// reads only the status and body (the frontend's generator). True by default.
    public var needsResponseHeaders = true
    /// The head as bytes up to (without) Content-Length, and whether it asks to close, from
    /// `encodeHeadOnce()` until a part of the head changes.
    private var preencoded: (head: [UInt8], asksToClose: Bool)?

    public init(method: String = "GET", endpoint: HTTPEndpoint, path: String = "/", headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Encodes the head (all but Content-Length) now, for a sender of many requests that differ
    /// only in their body (the frontend's generator, thousands a second): copies of this request
    /// with another body skip building the head. Changing the method, endpoint, path or headers
    /// drops it again.
    public mutating func encodeHeadOnce() {
        preencoded = (encodedHead(), headers.hasToken("connection", "close"))
    }

    /// GET, HEAD, PUT, DELETE and OPTIONS may be sent again when a reused connection turns out to
    /// have been closed by the server; a POST never is (the worker would publish twice).
    var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS": true
        default: false
        }
    }

    /// Asks for `Connection: close`.
    var asksToClose: Bool { preencoded?.asksToClose ?? headers.hasToken("connection", "close") }

    /// The request as bytes on the wire.
    func encoded() -> [UInt8] {
        let head = preencoded?.head ?? encodedHead()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.count + 24 + body.count)
        bytes.append(contentsOf: head)
        if !body.isEmpty || sendsContentLengthWhenEmpty {
            bytes.appendUTF8("Content-Length: ")
            bytes.appendDecimal(body.count)
            HTTPHeadEncoder.appendCRLF(to: &bytes)
        }
        HTTPHeadEncoder.appendCRLF(to: &bytes)
        bytes.append(contentsOf: body)
        return bytes
    }

    private var sendsContentLengthWhenEmpty: Bool {
        switch method {
        case "POST", "PUT", "PATCH": true
        default: false
        }
    }

    /// The request line and every field but Content-Length (the body's business), without the
    /// blank line that ends the head.
    private func encodedHead() -> [UInt8] {
        var head = HTTPRequestHead(method: method, target: endpoint.basePath + (path.isEmpty ? "/" : path))
        head.headers.add("Host", endpoint.authority)
        for field in headers where !field.name.equalsIgnoringASCIICase("host") && !field.name.equalsIgnoringASCIICase("content-length") {
            head.headers.add(field.name, field.value)
        }
        var bytes: [UInt8] = []
        HTTPHeadEncoder.requestHead(head, into: &bytes)
        bytes.removeLast(2)
        return bytes
    }
}

/// A complete response.
public struct HTTPClientResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
}

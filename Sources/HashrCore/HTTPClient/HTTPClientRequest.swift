/// One request for `HTTPClient`.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var endpoint: HTTPEndpoint
    /// Path and query, appended to the endpoint's base path.
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Overrides the client's default timeout for this request.
    public var timeout: Duration?

    public init(method: String = "GET", endpoint: HTTPEndpoint, path: String = "/", headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// GET, HEAD, PUT, DELETE and OPTIONS may be sent again when a reused connection turns out to
    /// have been closed by the server; a POST never is (the worker would publish twice).
    var isIdempotent: Bool {
        switch method {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS": true
        default: false
        }
    }

    /// The request as bytes on the wire.
    func encoded() -> [UInt8] {
        var head = HTTPRequestHead(method: method, target: endpoint.basePath + (path.isEmpty ? "/" : path))
        head.headers.add("Host", endpoint.authority)
        for field in headers where !field.name.equalsIgnoringASCIICase("host") && !field.name.equalsIgnoringASCIICase("content-length") {
            head.headers.add(field.name, field.value)
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            head.headers.add("Content-Length", String(body.count))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + body.count)
        HTTPHeadEncoder.requestHead(head, into: &bytes)
        bytes.append(contentsOf: body)
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

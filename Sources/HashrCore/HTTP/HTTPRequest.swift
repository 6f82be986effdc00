/// A complete request as handed to a route: head and whole body.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// The TCP peer's address (`127.0.0.1`, `::1`), or `-` when it had gone before it could be read.
    /// Behind a proxy this is the proxy's address, shared by every client it forwards.
    public var client: String

    public init(head: HTTPRequestHead, body: [UInt8] = [], client: String = "-") {
        self.head = head
        self.body = body
        self.client = client
    }

    public var method: String { head.method }
    public var target: String { head.target }
    public var path: Substring { head.path }
    public var headers: HTTPHeaders { head.headers }
}

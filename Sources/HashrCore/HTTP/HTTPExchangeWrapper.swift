/// Something the server puts around every exchange when it is built (CORS, the access log, the
/// request metrics): it may answer a request before its handler does, adds to every answer's head,
/// and hears when each exchange is over.
///
/// Every answer passes through the wrappers: the handlers', the router's 404 and 405, streams, and
/// the server's own answers to requests it could not hand to a handler (400, 408, 413, ...), which
/// skip only `intercept`, since there is no request to intercept. Loop-confined, like the server.
/// Classes: the connection walks the list for every request, and a reference is cheaper to pass
/// around than a value in an existential box.
protocol HTTPExchangeWrapper: AnyObject {
    /// An answer in place of the handler's, with its route label for metrics, or nil to let the
    /// request through to its handler.
    func intercept(_ request: HTTPRequest) -> (route: String, response: HTTPResponse)?
    /// Fields added to the head of every answer, complete or streamed (the server reads them once,
    /// when it is built).
    var addedFields: HTTPHeaders { get }
    /// The exchange is over: its answer is written, or its stream ended.
    func finished(_ record: AccessRecord, route: String)
}

extension HTTPExchangeWrapper {
    func intercept(_ request: HTTPRequest) -> (route: String, response: HTTPResponse)? { nil }
    var addedFields: HTTPHeaders { HTTPHeaders() }
    func finished(_ record: AccessRecord, route: String) {}
}

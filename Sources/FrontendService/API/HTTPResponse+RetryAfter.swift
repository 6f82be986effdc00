import HashrCore

extension HTTPResponse {
    /// A JSON error that tells the client when to come back (429, 503).
    static func error(_ status: Int, _ message: String, retryAfter seconds: Int) -> HTTPResponse {
        var response = HTTPResponse.error(status, message)
        response.headers.add("Retry-After", String(seconds))
        return response
    }
}

/// CORS for every answer: `Access-Control-Allow-Origin` on each, and `OPTIONS` on any path
/// answered as a preflight (204) without reaching a handler.
final class CORSWrapper: HTTPExchangeWrapper {
    let allowOrigin: String
    /// For the preflight's `Access-Control-Allow-Methods`.
    let router: HTTPRouter

    init(allowOrigin: String, router: HTTPRouter) {
        self.allowOrigin = allowOrigin
        self.router = router
    }

    func intercept(_ request: HTTPRequest) -> (route: String, response: HTTPResponse)? {
        guard request.method == "OPTIONS" else { return nil }
        var response = HTTPResponse(status: 204)
        let methods = router.allowedMethods(forPath: request.path)
        response.headers.add(
            "Access-Control-Allow-Methods",
            methods.isEmpty ? "GET, HEAD, POST, PUT, OPTIONS" : (methods + ["OPTIONS"]).joined(separator: ", "))
        response.headers.add(
            "Access-Control-Allow-Headers", request.headers["access-control-request-headers"] ?? "Content-Type")
        response.headers.add("Access-Control-Max-Age", "600")
        return ("preflight", response)
    }

    var addedFields: HTTPHeaders { HTTPHeaders([("Access-Control-Allow-Origin", allowOrigin)]) }
}

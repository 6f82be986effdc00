/// Handles one request. Call `responder.respond` exactly once, now or later on the loop, or start
/// a stream with `responder.startStream`.
public typealias HTTPHandler = (HTTPRequest, HTTPResponder) -> Void

/// Routes by exact path, then by method: 404 for an unknown path, 405 with `Allow` for a known path
/// and another method. `HEAD` is served by the `GET` route with the body left off.
public struct HTTPRouter {
    struct Route {
        let pattern: String
        var handlers: [String: HTTPHandler] = [:]
    }

    private var routes: [String: Route] = [:]

    public init() {}

    public mutating func add(_ method: String, _ path: String, _ handler: @escaping HTTPHandler) {
        routes[path, default: Route(pattern: path)].handlers[method] = handler
    }

    public mutating func get(_ path: String, _ handler: @escaping HTTPHandler) { add("GET", path, handler) }
    public mutating func post(_ path: String, _ handler: @escaping HTTPHandler) { add("POST", path, handler) }
    public mutating func put(_ path: String, _ handler: @escaping HTTPHandler) { add("PUT", path, handler) }

    /// What handles this request: the route's label for metrics and the handler, or an error reply.
    func resolve(method: String, path: Substring) -> (route: String, handler: HTTPHandler) {
        guard let route = routes[String(path)] else {
            return ("unmatched", { _, responder in responder.respond(.error(404, "no route for \(path)")) })
        }
        if let handler = route.handlers[method] ?? (method == "HEAD" ? route.handlers["GET"] : nil) {
            return (route.pattern, handler)
        }
        let allow = allowedMethods(route).joined(separator: ", ")
        return (route.pattern, { request, responder in
            var response = HTTPResponse.error(405, "\(request.method) is not allowed on \(route.pattern)")
            response.headers.add("Allow", allow)
            responder.respond(response)
        })
    }

    func allowedMethods(forPath path: Substring) -> [String] {
        routes[String(path)].map(allowedMethods) ?? []
    }

    private func allowedMethods(_ route: Route) -> [String] {
        var methods = Set(route.handlers.keys)
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}

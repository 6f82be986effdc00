import HashrCore

/// An absolute `http://` or `https://` URL split into where to connect (the core client's
/// `HTTPEndpoint`) and the request target (path and query) to send there.
struct HTTPTarget: Sendable, Equatable {
    let endpoint: HTTPEndpoint
    /// Path and query, `/` at least.
    let path: String

    /// Nil for anything but an `http://` or `https://` URL with a host (the scheme in any case).
    init?(url: String) {
        let schemeEnd = url.firstRange(ofCharacters: "://")
        guard let schemeEnd else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        guard let endpoint = HTTPEndpoint(url: "\(scheme)://\(rest[..<authorityEnd])", allowingTLS: true) else {
            return nil
        }
        let target = rest[authorityEnd...]
        guard !target.contains(" " as Character), !target.contains("#" as Character) else { return nil }
        self.endpoint = endpoint
        path = target.isEmpty ? "/" : target.hasPrefix("?") ? "/" + target : String(target)
    }
}

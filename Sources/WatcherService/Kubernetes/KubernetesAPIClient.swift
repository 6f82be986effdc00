import FoundationEssentials

/// Authenticated JSON requests to the Kubernetes API server, as a pod's service account.
///
/// The token is read from disk on every request because Kubernetes rotates projected tokens
/// (about hourly) and a token read once at start would expire under a long-running watcher.
public struct KubernetesAPIClient: Sendable {
    /// The API server's URL, the service-account folder and the request timeout.
    public let configuration: KubernetesRouterConfiguration
    private let http: BlockingHTTPClient

    /// A client trusting only the CA in `configuration`'s service-account folder.
    public init(configuration: KubernetesRouterConfiguration) {
        self.configuration = configuration
        self.http = BlockingHTTPClient(certificateAuthorityFile: configuration.certificateAuthorityPath)
    }

    /// The media type of a JSON Patch (RFC 6902) body.
    public static let jsonPatch = "application/json-patch+json"
    /// The media type of a whole object (an Event to create).
    public static let json = "application/json"

    /// Sends `method path` with an optional body of type `contentType`; any HTTP status is
    /// returned, only a request that got no answer (or no token) throws.
    public func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = json)
        throws(RouterError) -> BlockingHTTPClient.Response
    {
        let token = try readToken()
        var headers = ["Authorization: Bearer \(token)", "Accept: application/json"]
        if body != nil { headers.append("Content-Type: \(contentType)") }
        let url = configuration.apiServerURL + path
        do {
            return try http.perform(
                method: method, url: url, headers: headers, body: body, timeout: configuration.timeout)
        } catch {
            throw RouterError(.unreachable, "\(method) \(url) failed: \(error)")
        }
    }

    private func readToken() throws(RouterError) -> String {
        let path = configuration.tokenPath
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RouterError(.unreachable, "cannot read the service-account token at \(path)")
        }
        let token = contents.trimmingWhitespace()
        // A line break inside would end the header early and inject whatever follows.
        guard !token.isEmpty, !token.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw RouterError(.unreachable, "the service-account token at \(path) is empty or spans several lines")
        }
        return token
    }

    /// The `message` of a Kubernetes `Status` answer, or the start of the body.
    public static func explanation(_ body: [UInt8]) -> String {
        if let status = try? KubernetesJSON.decode(KubernetesStatus.self, from: body), let message = status.message {
            return message
        }
        return PrometheusQuery.snippet(body)
    }
}

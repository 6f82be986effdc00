import HashrCore
import HashrTLS

/// HTTP(S) requests that block the calling thread until answered or timed out.
///
/// For the synchronous routers, which run on libuv's thread pool. Each request runs the core's
/// `HTTPClient` (with `HashrTLS` for `https://`) on an event loop of its own, which the calling thread
/// runs until the answer has come and every handle is closed: only the TLS context (configured
/// once, then only read) is shared between requests, so the client may be used from several threads
/// at once. It must not be used on an event loop's thread, which it would block. The name lookup goes
/// to libuv's thread pool too, so a caller on that pool holds one of its threads while another
/// resolves (the watcher makes one call at a time).
public struct BlockingHTTPClient: Sendable {
    /// An answer: any status, and the body.
    public struct Response: Sendable, Equatable {
        /// The HTTP status code.
        public let status: Int
        /// The complete body.
        public let body: [UInt8]

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// PEM file of the only CAs trusted (the cluster's `ca.crt`); nil trusts the system's.
    public let certificateAuthorityFile: String?
    /// Allow `http://` as well as `https://` (tests, Prometheus); the Kubernetes client does not.
    public let allowsPlainHTTP: Bool
    /// Bodies beyond this fail with `.responseTooLarge` rather than filling memory.
    public let maximumResponseBytes: Int
    /// The TLS context, shared by copies of this client and kept while the CA file is unchanged.
    private let contexts: TLSContextCache

    public init(certificateAuthorityFile: String?, allowsPlainHTTP: Bool = false, maximumResponseBytes: Int = 4 << 20) {
        self.certificateAuthorityFile = certificateAuthorityFile
        self.allowsPlainHTTP = allowsPlainHTTP
        self.maximumResponseBytes = maximumResponseBytes
        contexts = TLSContextCache(certificateAuthorityFile: certificateAuthorityFile)
    }

    /// Sends one request and waits for the complete answer. `timeout` bounds everything: the name
    /// lookup, connecting, the TLS handshake and the response.
    /// - Parameters:
    ///   - headers: complete header lines, e.g. `Content-Type: application/json`.
    ///   - body: sent as is when non-nil (also for an empty body).
    public func perform(
        method: String, url: String, headers: [String] = [], body: [UInt8]? = nil, timeout: Duration
    ) throws(BlockingHTTPClientError) -> Response {
        guard let target = HTTPTarget(url: url) else {
            throw BlockingHTTPClientError(kind: .other, message: "not an http:// or https:// URL: \(url)")
        }
        guard target.endpoint.usesTLS || allowsPlainHTTP else {
            throw BlockingHTTPClientError(kind: .other, message: "only https:// is allowed here, not \(url)")
        }
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 1
        configuration.requestTimeout = timeout
        configuration.responseLimits.maxBodyBytes = maximumResponseBytes
        do throws(HTTPClientError) {
            // One context while the CA file is unchanged; a rotated one is read before this request.
            if target.endpoint.usesTLS { configuration.tls = try contexts.context() }
        } catch {
            throw BlockingHTTPClientError(error)
        }
        let request = HTTPClientRequest(
            method: method, endpoint: target.endpoint, path: target.path, headers: try Self.fields(headers),
            body: body ?? [], timeout: timeout)
        let result = try Self.run(request, configuration: configuration)
        switch result {
        case .success(let response): return Response(status: response.status, body: response.body)
        case .failure(let error): throw BlockingHTTPClientError(error)
        }
    }

    /// Runs `request` on a loop of its own on this thread, until it is answered and the loop is empty.
    private static func run(_ request: HTTPClientRequest, configuration: HTTPClient.Configuration)
        throws(BlockingHTTPClientError) -> Result<HTTPClientResponse, HTTPClientError>
    {
        do {
            return try PrivateLoop.run { loop, complete in
                let client = HTTPClient(loop: loop, configuration: configuration)
                client.execute(request) { result in
                    client.close()
                    complete(result)
                }
            }
        } catch {
            throw BlockingHTTPClientError(kind: .other, message: error.description)
        }
    }

    /// `Name: value` lines as header fields.
    private static func fields(_ lines: [String]) throws(BlockingHTTPClientError) -> HTTPHeaders {
        var fields = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line.contains(where: { $0 == "\r" || $0 == "\n" })
            else {
                throw BlockingHTTPClientError(kind: .other, message: "not a header line: \(line.debugDescription)")
            }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            fields.add(String(line[..<colon]), String(value))
        }
        return fields
    }
}

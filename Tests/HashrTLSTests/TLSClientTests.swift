import HashrCore
import HashrTLS
import HashrTestSupport
import Testing

/// The core's HTTP client with OpenSSL against a real TLS server (Python's ssl module) and
/// certificates the openssl CLI made for this run.
@Suite(.timeLimit(.minutes(1))) struct TLSClientTests {
    /// Sends `requests` one after another on one client on a loop thread of its own, then closes
    /// everything; the loop must close with every handle closed.
    private func send(
        _ requests: [HTTPClientRequest], tls: (any TLSClientContext)?, awaitingNoConnections: Bool = false
    ) async throws -> (results: [Result<HTTPClientResponse, HTTPClientError>], connections: Int) {
        let thread = try EventLoopThread()
        let client = try await thread.submit { [loop = thread.loop] in
            var configuration = HTTPClient.Configuration()
            configuration.tls = tls
            return LoopBound(HTTPClient(loop: loop, configuration: configuration), loop: loop)
        }
        var results: [Result<HTTPClientResponse, HTTPClientError>] = []
        for request in requests {
            results.append(await thread.submitAsync { complete in client.value.execute(request) { complete($0) } })
        }
        if awaitingNoConnections {
            // A connection cut off by a timeout finishes closing on a later loop iteration (CI once
            // counted it still there right after the failure): it must go, not stay open.
            try await waitUntil("no connection left") { try await thread.submit { client.value.connectionCount } == 0 }
        }
        let connections = try await thread.submit { client.value.connectionCount }
        #expect(await thread.shutdown { client.value.close() } == 0)
        return (results, connections)
    }

    private func server(_ mode: @escaping @Sendable (TestCertificates) -> TLSTestServer.Mode) async throws
        -> (TLSTestServer, TestCertificates)
    {
        try await OffThePool.run {
            let certificates = try TestCertificates.get()
            return (try TLSTestServer(mode(certificates)), certificates)
        }
    }

    private func context(trusting file: String?) throws -> OpenSSLClientContext {
        try OpenSSLClientContext(certificateAuthorityFile: file)
    }

    @Test func aTrustedServerAnswersOverOneKeptConnection() async throws {
        let (server, certificates) = try await server { .tls($0) }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let (results, connections) = try await send(
            [
                HTTPClientRequest(endpoint: endpoint, path: "/one"),
                HTTPClientRequest(method: "POST", endpoint: endpoint, path: "/echo", body: body),
                HTTPClientRequest(endpoint: endpoint, path: "/two?x=1"),
            ], tls: context(trusting: certificates.caFile))
        let responses = try results.map { try $0.get() }
        #expect(responses.map(\.status) == [200, 200, 200])
        #expect(String(decoding: responses[0].body, as: UTF8.self) == "hello /one from 127.0.0.1:\(server.port)")
        #expect(responses[1].body == body)
        #expect(String(decoding: responses[2].body, as: UTF8.self) == "hello /two?x=1 from 127.0.0.1:\(server.port)")
        #expect(connections == 1)
        withExtendedLifetime(server) {}
    }

    @Test func aCertificateFromAnUnknownCAIsUntrusted() async throws {
        let (server, certificates) = try await server { .tls($0) }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let (results, connections) = try await send(
            [HTTPClientRequest(endpoint: endpoint)], tls: context(trusting: certificates.otherCAFile))
        guard case .failure(.certificateUntrusted(let reason)) = results[0] else {
            Issue.record("expected an untrusted certificate, got \(results[0])")
            return
        }
        #expect(reason.contains("issuer") || reason.contains("self-signed"), "\(reason)")
        #expect(connections == 0)
        withExtendedLifetime(server) {}
    }

    @Test func theSystemStoreDoesNotTrustTheTestCA() async throws {
        let (server, _) = try await server { .tls($0) }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let (results, _) = try await send([HTTPClientRequest(endpoint: endpoint)], tls: context(trusting: nil))
        guard case .failure(.certificateUntrusted) = results[0] else {
            Issue.record("expected an untrusted certificate, got \(results[0])")
            return
        }
        withExtendedLifetime(server) {}
    }

    @Test func aHostNameTheCertificateDoesNotNameIsRefused() async throws {
        let (server, certificates) = try await server { .tls($0) }
        // "localhost" reaches the server, whose certificate names 127.0.0.1 and tls.test only.
        let endpoint = HTTPEndpoint(host: "localhost", port: server.port, usesTLS: true)
        let (results, _) = try await send([HTTPClientRequest(endpoint: endpoint)], tls: context(trusting: certificates.caFile))
        #expect(throws: HTTPClientError.hostNameMismatch(host: "localhost")) { try results[0].get() }
        withExtendedLifetime(server) {}
    }

    @Test func aPlainHTTPServerFailsTheHandshake() async throws {
        let (server, certificates) = try await server { _ in .plain }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let (results, _) = try await send([HTTPClientRequest(endpoint: endpoint)], tls: context(trusting: certificates.caFile))
        guard case .failure(.tlsFailed(let reason)) = results[0] else {
            Issue.record("expected a failed handshake, got \(results[0])")
            return
        }
        #expect(!reason.isEmpty)
        withExtendedLifetime(server) {}
    }

    @Test func aServerThatNeverAnswersTheHandshakeTimesOut() async throws {
        let (server, certificates) = try await server { _ in .silent }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let (results, _) = try await send(
            [HTTPClientRequest(endpoint: endpoint, timeout: .milliseconds(300))], tls: context(trusting: certificates.caFile),
            awaitingNoConnections: true)
        #expect(throws: HTTPClientError.timeout(after: .milliseconds(300))) { try results[0].get() }
        withExtendedLifetime(server) {}
    }

    @Test func anHTTPSEndpointWithoutTLSConfiguredFailsClearly() async throws {
        let (server, _) = try await server { _ in .plain }
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: server.port, usesTLS: true)
        let (results, _) = try await send([HTTPClientRequest(endpoint: endpoint)], tls: nil)
        guard case .failure(.tlsFailed(let reason)) = results[0] else {
            Issue.record("expected a TLS failure, got \(results[0])")
            return
        }
        #expect(reason.contains("no TLS configured"))
        withExtendedLifetime(server) {}
    }

    @Test func aMissingCAFileIsReportedWhenTheContextIsMade() {
        #expect(throws: HTTPClientError.self) { try OpenSSLClientContext(certificateAuthorityFile: "/no/such/ca.crt") }
    }

    @Test func httpsURLsParseOnlyWhereTLSIsAllowed() {
        #expect(HTTPEndpoint(url: "https://api.example:6443/base") == nil)
        let endpoint = HTTPEndpoint(url: "https://api.example/base/", allowingTLS: true)
        #expect(endpoint == HTTPEndpoint(host: "api.example", port: 443, basePath: "/base", usesTLS: true))
        #expect(endpoint?.authority == "api.example")
        #expect(endpoint?.description == "https://api.example/base")
        #expect(HTTPEndpoint(url: "https://api.example:6443", allowingTLS: true)?.authority == "api.example:6443")
    }
}

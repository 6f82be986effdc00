import Foundation
import HashrTestSupport
import Testing

@testable import WatcherService

/// The blocking client (the core client on a private loop, OpenSSL for https) against the stand-in API
/// server over real TLS. Each test blocks a thread of its own, never the cooperative pool.
@Suite(.timeLimit(.minutes(1))) struct BlockingHTTPClientTests {
    let vsPath = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/worker-virtual-service"

    private func client(ca: String? = nil, limit: Int = 1 << 20, plain: Bool = false) throws -> BlockingHTTPClient {
        BlockingHTTPClient(
            certificateAuthorityFile: try ca ?? TestCertificates.get().caFile, allowsPlainHTTP: plain,
            maximumResponseBytes: limit)
    }

    private func failure(_ body: () throws -> Void) -> BlockingHTTPClientError? {
        do {
            try body()
            return nil
        } catch {
            return error as? BlockingHTTPClientError
        }
    }

    @Test func getsOverTLSWithTheGivenCA() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let response = try client().perform(
                method: "GET", url: server.url + vsPath, headers: ["Authorization: Bearer test-token"], timeout: .seconds(5)
            )
            #expect(response.status == 200)
            #expect(try JSONTree.parse(response.body)["metadata"]?["resourceVersion"] == "4711")
        }
    }

    @Test func sendsMethodHeadersAndBody() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let body: JSONTree = ["kind": "Event", "involvedObject": ["name": "x"], "message": "ü \u{1}"]
            let response = try client().perform(
                method: "POST", url: server.url + "/api/v1/namespaces/default/events",
                headers: ["Authorization: Bearer test-token", "Content-Type: application/json"], body: body.bytes,
                timeout: .seconds(5))
            #expect(response.status == 201)
            let recorded = try #require(try server.requests().last)
            #expect(recorded["method"] == "POST")
            #expect(recorded["contentType"] == "application/json")
            #expect(try JSONTree.parse(recorded["body"]?.stringValue ?? "") == body)
        }
    }

    @Test func theStandInEnforcesTokenAndContentType() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let http = try client()
            #expect(try http.perform(method: "GET", url: server.url + vsPath, timeout: .seconds(5)).status == 401)
            let wrong = try http.perform(
                method: "GET", url: server.url + vsPath, headers: ["Authorization: Bearer nope"], timeout: .seconds(5))
            #expect(wrong.status == 403)
            let untyped = try http.perform(
                method: "PUT", url: server.url + vsPath, headers: ["Authorization: Bearer test-token"],
                body: Array("{}".utf8),
                timeout: .seconds(5))
            #expect(untyped.status == 415)
            let unversioned = try http.perform(
                method: "PUT", url: server.url + vsPath,
                headers: ["Authorization: Bearer test-token", "Content-Type: application/json"],
                body: Array(#"{"metadata":{"name":"worker-virtual-service"}}"#.utf8), timeout: .seconds(5))
            #expect(unversioned.status == 422)
        }
    }

    @Test func anUntrustedCertificateIsATLSFailure() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let error = failure {
                _ = try client(ca: TestCertificates.get().otherCAFile).perform(
                    method: "GET", url: server.url + vsPath, timeout: .seconds(5))
            }
            #expect(error?.kind == .tlsFailed, "\(String(describing: error))")
        }
    }

    /// The client keeps its TLS context between requests, but a CA file rotated in between (replaced,
    /// as Kubernetes updates a mounted file) is the one the next request trusts.
    @Test func aRotatedCAFileIsTrustedFromTheNextRequest() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            let certificates = try TestCertificates.get()
            let other = try String(contentsOfFile: certificates.otherCAFile, encoding: .utf8)
            let right = try String(contentsOfFile: certificates.caFile, encoding: .utf8)
            try folder.write("ca.crt", other)
            let http = try client(ca: "\(folder.path)/ca.crt")
            let get = {
                try http.perform(
                    method: "GET", url: server.url + vsPath, headers: ["Authorization: Bearer test-token"],
                    timeout: .seconds(5))
            }
            #expect(failure { _ = try get() }?.kind == .tlsFailed)
            try folder.write("ca.crt", right)
            #expect(try get().status == 200)
            #expect(try get().status == 200)
            try folder.write("ca.crt", other)
            #expect(failure { _ = try get() }?.kind == .tlsFailed)
            folder.remove()
            let missing = failure { _ = try get() }
            #expect(missing?.kind == .tlsFailed, "\(String(describing: missing))")
            #expect(missing?.message.contains("cannot load the CA file") == true, "\(String(describing: missing))")
        }
    }

    @Test func aNameNotInTheCertificateIsATLSFailure() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let error = failure {
                _ = try client().perform(method: "GET", url: "https://localhost:\(server.port)/", timeout: .seconds(5))
            }
            #expect(error?.kind == .tlsFailed, "\(String(describing: error))")
        }
    }

    @Test func aClosedPortIsAConnectionFailure() async throws {
        try await OffThePool.run { [self] in
            let port = FreePort.take()
            let error = failure {
                _ = try client().perform(method: "GET", url: "https://127.0.0.1:\(port)/", timeout: .seconds(5))
            }
            #expect(error?.kind == .connectionFailed)
            #expect(error?.description.contains("connection failed:") == true)
            #expect(error?.message.contains("\(port)") == true, "\(String(describing: error))")
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            try server.set(["delaySeconds": 20])
            let started = ContinuousClock.now
            let error = failure {
                _ = try client().perform(
                    method: "GET", url: server.url + vsPath, headers: ["Authorization: Bearer test-token"],
                    timeout: .milliseconds(300))
            }
            #expect(error?.kind == .timedOut, "\(String(describing: error))")
            #expect(started.duration(to: .now) < .seconds(10))  // the 300 ms timeout, not the 20 s answer
        }
    }

    @Test func plainHTTPIsRefusedUnlessAllowed() async throws {
        try await OffThePool.run { [self] in
            let port = FreePort.take()
            let refused = failure {
                _ = try client().perform(method: "GET", url: "http://127.0.0.1:\(port)/", timeout: .seconds(5))
            }
            #expect(refused?.kind == .other, "\(String(describing: refused))")
            let allowed = failure {
                _ = try client(plain: true).perform(method: "GET", url: "http://127.0.0.1:\(port)/", timeout: .seconds(5))
            }
            #expect(allowed?.kind == .connectionFailed)
        }
    }

    @Test func oversizedAnswersAreCutOff() async throws {
        try await OffThePool.run { [self] in
            let server = try StandInAPIServer()
            let error = failure {
                _ = try client(limit: 100).perform(
                    method: "GET", url: server.url + vsPath, headers: ["Authorization: Bearer test-token"],
                    timeout: .seconds(5))
            }
            #expect(error == BlockingHTTPClientError(kind: .responseTooLarge, message: "the answer exceeded 100 bytes"))
        }
    }
}

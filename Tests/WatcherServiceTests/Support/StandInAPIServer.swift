import Foundation
import HashrTestSupport

@testable import WatcherService

/// "METHOD status" of each request the stand-in saw, e.g. `["GET 200", "PATCH 422"]`.
func summary(_ requests: [JSONTree]) -> [String] {
    requests.map { "\($0["method"]?.stringValue ?? "?") \($0["status"]?.intValue ?? 0)" }
}

/// Runs `Fixtures/fake_apiserver.py`, the STAND-IN Kubernetes API server (not Kubernetes: the one
/// stand-in of the test suites), for one test. It enforces what the real API server enforces on
/// the calls the router makes (token, content types, JSON Patch semantics, conflicts); see the
/// script's docstring for exactly what and where each answer comes from.
// Unchecked: a test uses its instance from one task at a time (the blocking calls off the pool).
final class StandInAPIServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fake_apiserver.py").path

    let port: Int
    let token: String
    /// The service-account folder the router reads: token, ca.crt, namespace.
    let account: TemporaryDirectory
    private let process: TestChild
    private let control: BlockingHTTPClient

    /// Starts a stand-in holding `virtualService` and `httpRoute` (none: every read is a 404).
    init(
        virtualService: String? = VirtualServiceFixture.document(), httpRoute: String? = HTTPRouteFixture.document(),
        token: String = "test-token"
    ) throws {
        let certificates = try TestCertificates.get()
        account = try TemporaryDirectory()
        try account.write("token", token + "\n")
        try account.write("namespace", "default")
        try FileManager.default.copyItem(atPath: certificates.caFile, toPath: "\(account.path)/ca.crt")
        var arguments = [
            "-u", Self.script, "--cert", certificates.certificateFile, "--key", certificates.keyFile, "--token", token,
        ]
        if let virtualService {
            try account.write("virtual-service.json", virtualService)
            arguments += ["--virtual-service", "\(account.path)/virtual-service.json"]
        }
        if let httpRoute {
            try account.write("http-route.json", httpRoute)
            arguments += ["--http-route", "\(account.path)/http-route.json"]
        }
        let started = try TestChild.startReadingFirstLine("python3", arguments, errorFile: "\(account.path)/stderr")
        process = started.child
        guard let port = Int(started.firstLine) else {
            throw CommandFailure(description: "the stand-in printed \(started.firstLine), not a port")
        }
        self.port = port
        self.token = token
        control = BlockingHTTPClient(certificateAuthorityFile: certificates.caFile)
    }

    deinit {
        process.kill()
        account.remove()
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// Settings pointing the kubernetes router at this stand-in.
    func configuration(timeout: Duration = .seconds(5)) -> KubernetesRouterConfiguration {
        KubernetesRouterConfiguration(
            apiServerURL: url, namespace: "default", virtualService: "worker-virtual-service",
            serviceAccountDirectory: account.path, timeout: timeout, reportingInstance: "test-pod")
    }

    /// Settings pointing the gateway-api router at this stand-in's HTTPRoute.
    func gatewayConfiguration(timeout: Duration = .seconds(5)) -> KubernetesRouterConfiguration {
        var settings = configuration(timeout: timeout)
        settings.routeKind = .httpRoute
        return settings
    }

    /// Sets stand-in options, e.g. `["bumpAfterGet": 1]`.
    func set(_ options: JSONTree) throws {
        let response = try control.perform(
            method: "POST", url: url + "/_standin/control", headers: ["Content-Type: application/json"],
            body: options.bytes, timeout: .seconds(5))
        guard response.status == 200 else {
            throw CommandFailure(description: "control answered \(response.status)")
        }
    }

    /// Every API request the stand-in has seen.
    func requests() throws -> [JSONTree] {
        let response = try control.perform(method: "GET", url: url + "/_standin/requests", timeout: .seconds(5))
        return try JSONTree.parse(response.body).arrayValue ?? []
    }

    /// The VirtualService as stored now.
    func storedVirtualService() throws -> JSONTree {
        try JSONTree.parse(
            control.perform(method: "GET", url: url + "/_standin/virtualservice", timeout: .seconds(5)).body)
    }

    /// The HTTPRoute as stored now.
    func storedHTTPRoute() throws -> JSONTree {
        try JSONTree.parse(
            control.perform(method: "GET", url: url + "/_standin/httproute", timeout: .seconds(5)).body)
    }

    /// Sends one API request with the stand-in's token (unless `token` says otherwise).
    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String? = nil,
        token: String? = "test-token"
    ) throws -> (status: Int, body: JSONTree) {
        var headers: [String] = []
        if let token { headers.append("Authorization: Bearer \(token)") }
        if let contentType { headers.append("Content-Type: \(contentType)") }
        let response = try control.perform(
            method: method, url: url + path, headers: headers, body: body.map { Array($0.utf8) }, timeout: .seconds(5))
        return (response.status, try JSONTree.parse(response.body))
    }

    /// Starts one off the cooperative pool: starting waits for the script to print its port.
    static func started(
        virtualService: String? = VirtualServiceFixture.document(), httpRoute: String? = HTTPRouteFixture.document()
    ) async throws -> StandInAPIServer {
        try await OffThePool.run { try StandInAPIServer(virtualService: virtualService, httpRoute: httpRoute) }
    }
}

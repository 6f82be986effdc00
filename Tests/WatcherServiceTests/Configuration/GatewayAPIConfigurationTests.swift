import HashrCore
import HashrTestSupport
import Testing

@testable import WatcherService

/// `ROUTER=gateway-api`: the HTTPRoute's variables, defaults and rejections.
@Suite struct GatewayAPIConfigurationTests {
    private func withAccount(_ body: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (file, contents) in ["token": "t", "ca.crt": "c", "namespace": "hashr"] {
            try directory.write(file, contents)
        }
        try body(directory.path)
    }

    private func parse(_ values: [String: String]) throws -> WatcherConfiguration {
        try WatcherConfiguration(environment: EnvironmentReader(values))
    }

    @Test func defaults() throws {
        try withAccount { directory in
            let configuration = try parse([
                "ROUTER": "gateway-api", "SERVICEACCOUNT_DIR": directory, "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            ])
            guard case .gatewayAPI(let settings) = configuration.router else {
                Issue.record("not the gateway-api router")
                return
            }
            #expect(configuration.router.name == "gateway-api")
            #expect(settings.routeKind == .httpRoute)
            #expect(settings.routePath == "/apis/gateway.networking.k8s.io/v1/namespaces/hashr/httproutes/worker-route")
            #expect(
                settings.editor == RouteWeightEditor(kind: .httpRoute, primary: "worker-primary", burst: "worker-burst")
            )
            #expect(configuration.router.makeRouter().target == "HTTPRoute hashr/worker-route")
        }
    }

    @Test func everythingCanBeChanged() throws {
        try withAccount { directory in
            let configuration = try parse([
                "ROUTER": "gateway-api", "SERVICEACCOUNT_DIR": directory, "KUBERNETES_SERVICE_HOST": "10.0.0.1",
                "NAMESPACE": "team-a", "HTTPROUTE": "hashr.worker", "PRIMARY_BACKEND": "onprem",
                "BURST_BACKEND": "cloud", "ROUTER_TIMEOUT": "3s",
            ])
            #expect(
                configuration.router
                    == .gatewayAPI(
                        KubernetesRouterConfiguration(
                            apiServerURL: "https://10.0.0.1:443", namespace: "team-a",
                            virtualService: "worker-virtual-service", serviceAccountDirectory: directory,
                            timeout: .seconds(3), routeKind: .httpRoute, httpRoute: "hashr.worker",
                            primaryBackend: "onprem", burstBackend: "cloud")))
        }
    }

    @Test(arguments: [
        ([:], "KUBERNETES_SERVICE_HOST"),
        (["HTTPROUTE": "../../secrets"], "HTTPROUTE"),
        (["HTTPROUTE": "Worker"], "HTTPROUTE"),
        (["PRIMARY_BACKEND": "worker.primary"], "PRIMARY_BACKEND"),
        (["BURST_BACKEND": "Worker"], "BURST_BACKEND"),
        (["BURST_BACKEND": "worker-primary"], "BURST_BACKEND"),
        (["NAMESPACE": "a.b"], "NAMESPACE"),
    ])
    func rejected(values: [String: String], variable: String) throws {
        try withAccount { directory in
            var environment = ["ROUTER": "gateway-api", "SERVICEACCOUNT_DIR": directory]
            if !values.isEmpty { environment["KUBERNETES_SERVICE_HOST"] = "10.0.0.1" }
            environment.merge(values) { $1 }
            do {
                _ = try parse(environment)
                Issue.record("\(values) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == variable, "\(values) gave \(error)")
                if values.isEmpty { #expect(error.description.contains("ROUTER=gateway-api")) }
            }
        }
    }
}

import Foundation
import Testing

@testable import WatcherService

/// The two route objects the kubernetes router edits, as test arguments: what differs between
/// `ROUTER=kubernetes` (an Istio VirtualService) and `ROUTER=gateway-api` (a Gateway API HTTPRoute).
enum RouteKindCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case virtualService
    case httpRoute

    var testDescription: String { rawValue }

    var kind: RouteWeightEditor.Kind { self == .virtualService ? .virtualService : .httpRoute }

    var path: String {
        switch self {
        case .virtualService:
            "/apis/networking.istio.io/v1/namespaces/default/virtualservices/worker-virtual-service"
        case .httpRoute: "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/worker-route"
        }
    }

    /// How messages name the object.
    var target: String {
        self == .virtualService ? "VirtualService default/worker-virtual-service" : "HTTPRoute default/worker-route"
    }

    /// The fixture's resourceVersion and uid.
    var resourceVersion: Int { self == .virtualService ? 4711 : 815 }
    var uid: String {
        self == .virtualService ? "0b6f1c2e-5d7a-4c1e-9f00-123456789abc" : "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
    }

    var reference: KubernetesObjectReference {
        self == .virtualService
            ? KubernetesObjectReference(
                apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "worker-virtual-service",
                namespace: "default")
            : KubernetesObjectReference(
                apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", name: "worker-route",
                namespace: "default")
    }

    /// The JSON Pointer and the dotted path of the weights the fixture's rule 1 holds.
    func pointer(rule: Int = 1, _ index: Int) -> String {
        self == .virtualService
            ? "/spec/http/\(rule)/route/\(index)/weight" : "/spec/rules/\(rule)/backendRefs/\(index)/weight"
    }

    func dotted(rule: Int = 1, _ index: Int) -> String {
        self == .virtualService
            ? "spec.http[\(rule)].route[\(index)].weight" : "spec.rules[\(rule)].backendRefs[\(index)].weight"
    }

    /// A stand-in holding this kind's object at these weights (and the other kind's at rest).
    func standIn(primary: Int = 100, burst: Int = 0) async throws -> StandInAPIServer {
        self == .virtualService
            ? try await StandInAPIServer.started(
                virtualService: VirtualServiceFixture.document(primary: primary, burst: burst))
            : try await StandInAPIServer.started(httpRoute: HTTPRouteFixture.document(primary: primary, burst: burst))
    }

    /// A stand-in without this kind's object.
    func standInWithoutTheObject() async throws -> StandInAPIServer {
        self == .virtualService
            ? try await StandInAPIServer.started(virtualService: nil)
            : try await StandInAPIServer.started(httpRoute: nil)
    }

    func configuration(_ server: StandInAPIServer, timeout: Duration = .seconds(5)) -> KubernetesRouterConfiguration {
        self == .virtualService ? server.configuration(timeout: timeout) : server.gatewayConfiguration(timeout: timeout)
    }

    func router(_ server: StandInAPIServer) -> KubernetesRouter {
        KubernetesRouter(configuration: configuration(server)) { Date(timeIntervalSince1970: 1_714_557_600) }
    }

    func stored(_ server: StandInAPIServer) async throws -> JSONTree {
        self == .virtualService ? try await server.storedVirtualService() : try await server.storedHTTPRoute()
    }

    /// The object of the other kind, which must never be touched.
    func storedOther(_ server: StandInAPIServer) async throws -> JSONTree {
        self == .virtualService ? try await server.storedHTTPRoute() : try await server.storedVirtualService()
    }

    /// The settings naming a burst destination the object does not have.
    func configurationWithUnknownBurst(_ server: StandInAPIServer) -> KubernetesRouterConfiguration {
        var settings = configuration(server)
        if self == .virtualService { settings.burstSubset = "cloud" } else { settings.burstBackend = "cloud" }
        return settings
    }

    var unknownBurstMessage: String {
        self == .virtualService
            ? "the VirtualService has no HTTP route with destinations of both subsets \"primary\" and \"cloud\" "
                + "(check PRIMARY_SUBSET and BURST_SUBSET, and that both destinations are listed)"
            : "the HTTPRoute has no rule with backendRefs to both Services \"worker-primary\" and \"cloud\" "
                + "(check PRIMARY_BACKEND and BURST_BACKEND, and that both backendRefs are listed)"
    }

    var notFoundVariables: String {
        self == .virtualService
            ? "check VIRTUAL_SERVICE, NAMESPACE and ISTIO_API_VERSION" : "check HTTPROUTE and NAMESPACE"
    }
}

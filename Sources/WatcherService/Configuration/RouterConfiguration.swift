/// Which router moves the traffic (`ROUTER`), with its settings.
public enum RouterConfiguration: Sendable, Equatable {
    /// Istio: edit the weights of a VirtualService through the Kubernetes API.
    case kubernetes(KubernetesRouterConfiguration)
    /// The Kubernetes Gateway API: edit the weights of an HTTPRoute's two backendRefs (Istio with
    /// sidecars or ambient waypoints, or any GAMMA mesh).
    case gatewayAPI(KubernetesRouterConfiguration)
    /// HAProxy: set the weights of two servers through its runtime API (the local mesh).
    case haproxy(HAProxyRouterConfiguration)
    /// Any command, e.g. `kubectl apply -f istio-manifests/{state}.yaml`.
    case command(CommandRouterConfiguration)

    /// The name as written in `ROUTER`.
    public var name: String {
        switch self {
        case .kubernetes: "kubernetes"
        case .gatewayAPI: "gateway-api"
        case .haproxy: "haproxy"
        case .command: "command"
        }
    }

    /// The blocking router these settings describe.
    public func makeRouter() -> any WeightRouter {
        switch self {
        case .kubernetes(let settings), .gatewayAPI(let settings): KubernetesRouter(configuration: settings)
        case .haproxy(let settings): HAProxyRouter(configuration: settings)
        case .command(let settings): CommandRouter(configuration: settings)
        }
    }
}

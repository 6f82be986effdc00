/// The route object the kubernetes router edits, as the router and its messages need it.
extension KubernetesRouterConfiguration {
    /// `VirtualService` or `HTTPRoute`.
    public var routeKindName: String { routeKind == .virtualService ? "VirtualService" : "HTTPRoute" }

    /// The object's `apiVersion`.
    public var routeAPIVersion: String {
        routeKind == .virtualService ? "networking.istio.io/\(istioAPIVersion)" : "gateway.networking.k8s.io/v1"
    }

    /// The object's name.
    public var routeName: String { routeKind == .virtualService ? virtualService : httpRoute }

    /// The object's path on the API server.
    public var routePath: String { routeKind == .virtualService ? virtualServicePath : httpRoutePath }

    /// The variables that place the object, for a 404.
    public var routeVariables: String {
        routeKind == .virtualService
            ? "VIRTUAL_SERVICE, NAMESPACE and ISTIO_API_VERSION"
            : "HTTPROUTE and NAMESPACE, and that the Gateway API v1 CRDs are installed"
    }

    /// The editor for the object's two weights.
    public var editor: RouteWeightEditor {
        routeKind == .virtualService
            ? RouteWeightEditor(primarySubset: primarySubset, burstSubset: burstSubset)
            : RouteWeightEditor(kind: .httpRoute, primary: primaryBackend, burst: burstBackend)
    }
}

import FoundationEssentials
import HashrCore

/// Where the kubernetes and gateway-api routers find the API server, their credentials and the
/// route object: an Istio VirtualService (`ROUTER=kubernetes`) or a Gateway API HTTPRoute
/// (`ROUTER=gateway-api`). Both are edited by the same router; only the object differs.
public struct KubernetesRouterConfiguration: Sendable, Equatable {
    /// Which kind of route object the weights are in.
    public var routeKind: RouteWeightEditor.Kind
    /// `https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT` (IPv6 hosts in brackets).
    public var apiServerURL: String
    /// `NAMESPACE`, by default the pod's own (from `SERVICEACCOUNT_DIR/namespace`).
    public var namespace: String
    /// `VIRTUAL_SERVICE`, default `worker-virtual-service`.
    public var virtualService: String
    /// `ISTIO_API_VERSION`: `v1` (Istio 1.22+); `v1beta1` or `v1alpha3` for older Istio.
    public var istioAPIVersion: String
    /// `PRIMARY_SUBSET` / `BURST_SUBSET`: the subsets whose destinations' weights are changed.
    public var primarySubset: String
    public var burstSubset: String
    /// `SERVICEACCOUNT_DIR`: holds `token` (re-read on every request: it rotates) and `ca.crt`.
    public var serviceAccountDirectory: String
    /// `ROUTER_TIMEOUT`: the limit for one API request, connection included.
    public var timeout: Duration
    /// Names this watcher in the Events it records (`HOSTNAME`, the pod's name in a cluster).
    public var reportingInstance: String?
    /// `HTTPROUTE`, default `worker-route` (gateway-api only).
    public var httpRoute: String
    /// `PRIMARY_BACKEND` / `BURST_BACKEND`: the Services of the two backendRefs whose weights are
    /// changed, default `worker-primary` and `worker-burst` (gateway-api only).
    public var primaryBackend: String
    public var burstBackend: String

    public init(
        apiServerURL: String, namespace: String, virtualService: String, istioAPIVersion: String = "v1",
        primarySubset: String = "primary", burstSubset: String = "burst", serviceAccountDirectory: String,
        timeout: Duration = .seconds(10), reportingInstance: String? = nil,
        routeKind: RouteWeightEditor.Kind = .virtualService,
        httpRoute: String = "worker-route", primaryBackend: String = "worker-primary",
        burstBackend: String = "worker-burst"
    ) {
        self.routeKind = routeKind
        self.httpRoute = httpRoute
        self.primaryBackend = primaryBackend
        self.burstBackend = burstBackend
        self.apiServerURL = apiServerURL
        self.namespace = namespace
        self.virtualService = virtualService
        self.istioAPIVersion = istioAPIVersion
        self.primarySubset = primarySubset
        self.burstSubset = burstSubset
        self.serviceAccountDirectory = serviceAccountDirectory
        self.timeout = timeout
        self.reportingInstance = reportingInstance
    }

    /// Reads the kubernetes (or, for `.httpRoute`, the gateway-api) router's variables; the
    /// service-account folder must hold a readable token and CA, since without them every request
    /// would fail.
    init(
        environment env: EnvironmentReader, serviceAccountDirectory: String, timeout: Duration,
        routeKind: RouteWeightEditor.Kind = .virtualService
    ) throws {
        let router = routeKind == .virtualService ? "kubernetes" : "gateway-api"
        let host = try env.required(
            "KUBERNETES_SERVICE_HOST", because: "set by Kubernetes in a pod; needed when ROUTER=\(router)")
        guard !host.contains("/"), !host.contains(" ") else {
            throw ConfigurationError(
                variable: "KUBERNETES_SERVICE_HOST", value: host, expected: "a host name or address")
        }
        let port = try env.port("KUBERNETES_SERVICE_PORT", default: 443)
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let directory =
            serviceAccountDirectory.hasSuffix("/")
            ? String(serviceAccountDirectory.dropLast()) : serviceAccountDirectory
        for file in ["token", "ca.crt"] where !FileManager.default.isReadableFile(atPath: "\(directory)/\(file)") {
            throw ConfigurationError(
                variable: "SERVICEACCOUNT_DIR", value: serviceAccountDirectory,
                expected: "a folder with a readable \(file) (is the service-account token mounted?)")
        }
        let namespace: String
        if env.raw("NAMESPACE") != nil {
            namespace = try env.kubernetesName("NAMESPACE", default: "", label: true)
        } else {
            guard let contents = try? String(contentsOfFile: "\(directory)/namespace", encoding: .utf8) else {
                throw ConfigurationError(
                    variable: "NAMESPACE", value: "",
                    expected: "a namespace: it is unset and \(directory)/namespace cannot be read")
            }
            namespace = contents.trimmingWhitespace()
            try EnvironmentReader.checkKubernetesName(
                namespace, variable: "NAMESPACE (from \(directory)/namespace)", label: true)
        }
        if routeKind == .httpRoute {
            let primary = try env.kubernetesName("PRIMARY_BACKEND", default: "worker-primary", label: true)
            let burst = try env.kubernetesName("BURST_BACKEND", default: "worker-burst", label: true)
            guard burst != primary else {
                throw ConfigurationError(
                    variable: "BURST_BACKEND", value: burst, expected: "a Service other than PRIMARY_BACKEND")
            }
            self.init(
                apiServerURL: "https://\(bracketed):\(port)", namespace: namespace,
                virtualService: "worker-virtual-service",
                serviceAccountDirectory: directory, timeout: timeout, reportingInstance: env.raw("HOSTNAME"),
                routeKind: .httpRoute, httpRoute: try env.kubernetesName("HTTPROUTE", default: "worker-route"),
                primaryBackend: primary, burstBackend: burst)
            return
        }
        let version = env.string("ISTIO_API_VERSION", default: "v1")
        guard Self.isAPIVersion(version) else {
            throw ConfigurationError(
                variable: "ISTIO_API_VERSION", value: version,
                expected: "an API version such as v1, v1beta1 or v1alpha3")
        }
        let primary = env.string("PRIMARY_SUBSET", default: "primary")
        let burst = env.string("BURST_SUBSET", default: "burst")
        guard burst != primary else {
            throw ConfigurationError(
                variable: "BURST_SUBSET", value: burst, expected: "a subset other than PRIMARY_SUBSET")
        }
        self.init(
            apiServerURL: "https://\(bracketed):\(port)", namespace: namespace,
            virtualService: try env.kubernetesName("VIRTUAL_SERVICE", default: "worker-virtual-service"),
            istioAPIVersion: version, primarySubset: primary, burstSubset: burst,
            serviceAccountDirectory: directory, timeout: timeout, reportingInstance: env.raw("HOSTNAME"))
    }

    /// The VirtualService's path on the API server.
    public var virtualServicePath: String {
        "/apis/networking.istio.io/\(istioAPIVersion)/namespaces/\(namespace)/virtualservices/\(virtualService)"
    }

    /// The HTTPRoute's path on the API server.
    public var httpRoutePath: String {
        "/apis/gateway.networking.k8s.io/v1/namespaces/\(namespace)/httproutes/\(httpRoute)"
    }

    /// Where Events of this namespace are created.
    public var eventsPath: String { "/api/v1/namespaces/\(namespace)/events" }

    public var tokenPath: String { "\(serviceAccountDirectory)/token" }
    public var certificateAuthorityPath: String { "\(serviceAccountDirectory)/ca.crt" }
}

/// Identifies one Kubernetes object, as Events' `involvedObject` does.
public struct KubernetesObjectReference: Codable, Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String
    /// Left out of the JSON when unknown (the synthesized coding skips nil).
    public var uid: String?
    public var resourceVersion: String?

    public init(
        apiVersion: String, kind: String, name: String, namespace: String, uid: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
    }

    /// The reference to a route object as the API server returned it; `fallback` supplies what the
    /// answer lacks (the API server always sends apiVersion, kind and metadata, a stand-in may not).
    public init(object: RouteObject, fallback: KubernetesObjectReference) {
        let metadata = object.metadata
        self.init(
            apiVersion: object.apiVersion ?? fallback.apiVersion, kind: object.kind ?? fallback.kind,
            name: metadata?.name ?? fallback.name, namespace: metadata?.namespace ?? fallback.namespace,
            uid: metadata?.uid ?? fallback.uid, resourceVersion: metadata?.resourceVersion ?? fallback.resourceVersion)
    }
}

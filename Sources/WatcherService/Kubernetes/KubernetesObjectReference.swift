/// Identifies one Kubernetes object, as Events' `involvedObject` does.
public struct KubernetesObjectReference: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String
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

    /// The reference to an object as the API server returned it; `fallback` supplies what the
    /// document lacks (the API server always sends apiVersion, kind and metadata, a stand-in may not).
    public init(document: JSONValue, fallback: KubernetesObjectReference) {
        let metadata = document["metadata"]
        self.init(
            apiVersion: document["apiVersion"]?.stringValue ?? fallback.apiVersion,
            kind: document["kind"]?.stringValue ?? fallback.kind,
            name: metadata?["name"]?.stringValue ?? fallback.name,
            namespace: metadata?["namespace"]?.stringValue ?? fallback.namespace,
            uid: metadata?["uid"]?.stringValue ?? fallback.uid,
            resourceVersion: metadata?["resourceVersion"]?.stringValue ?? fallback.resourceVersion)
    }

    /// The `ObjectReference` JSON, without the optional fields that are unknown.
    public var json: JSONValue {
        var value: JSONValue = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name),
            "namespace": .string(namespace),
        ]
        if let uid { value.set("uid", to: .string(uid)) }
        if let resourceVersion { value.set("resourceVersion", to: .string(resourceVersion)) }
        return value
    }
}

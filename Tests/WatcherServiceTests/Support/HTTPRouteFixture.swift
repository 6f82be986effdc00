/// HTTPRoute documents as the API server returns them, for the editor and the stand-in.
enum HTTPRouteFixture {
    /// The worker's GAMMA HTTPRoute in the natural state, with the server-side fields a real answer
    /// has (uid, resourceVersion, managedFields, status with parent conditions), an unrelated first
    /// rule, and filters and timeouts beside the weights. `burstWeight` nil leaves the burst
    /// backendRef's weight out (the API then reads it as 1).
    static func document(primary: Int = 100, burst: Int? = 0, resourceVersion: String = "815") -> String {
        let burstWeight = burst.map { #","weight":\#($0)"# } ?? ""
        return """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"annotations":\
            {"kubectl.kubernetes.io/last-applied-configuration":"{\\"spec\\":{}}\\n"},"creationTimestamp":\
            "2024-05-01T10:00:00Z","generation":2,"name":"worker-route","namespace":"default",\
            "resourceVersion":"\(resourceVersion)","uid":"7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f","managedFields":\
            [{"manager":"kubectl","operation":"Apply","time":"2024-05-01T10:00:00Z"}]},"spec":{"parentRefs":\
            [{"group":"","kind":"Service","name":"worker-service","port":80}],"rules":[{"matches":[{"path":\
            {"type":"PathPrefix","value":"/admin"}}],"backendRefs":[{"name":"worker-primary","port":80}]},\
            {"matches":[{"path":{"type":"PathPrefix","value":"/"}}],"filters":[{"type":"RequestHeaderModifier",\
            "requestHeaderModifier":{"set":[{"name":"x-ratio","value":"0.10"}]}}],"timeouts":{"request":"15s"},\
            "backendRefs":[{"group":"","kind":"Service","name":"worker-primary","port":80,"weight":\(primary)},\
            {"group":"","kind":"Service","name":"worker-burst","port":80\(burstWeight)}]}]},"status":{"parents":\
            [{"parentRef":{"group":"","kind":"Service","name":"worker-service","port":80},"controllerName":\
            "istio.io/gateway-controller","conditions":[{"type":"Accepted","status":"True","reason":"Accepted",\
            "observedGeneration":2,"lastTransitionTime":"2024-05-01T10:00:01Z","message":"Route was valid"}]}]}}
            """
    }
}

/// VirtualService documents as the API server returns them, for the editor and the stand-in.
enum VirtualServiceFixture {
    /// The workshop's VirtualService in the natural state, with the server-side fields a real
    /// answer has (uid, resourceVersion, managedFields, status) and a second, unrelated route.
    static func document(primary: Int = 100, burst: Int = 0, resourceVersion: String = "4711") -> String {
        """
        {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"annotations":\
        {"kubectl.kubernetes.io/last-applied-configuration":"{\\"spec\\":{}}\\n"},"creationTimestamp":\
        "2024-05-01T10:00:00Z","generation":3,"name":"worker-virtual-service","namespace":"default",\
        "resourceVersion":"\(resourceVersion)","uid":"0b6f1c2e-5d7a-4c1e-9f00-123456789abc","managedFields":\
        [{"manager":"kubectl","operation":"Apply","time":"2024-05-01T10:00:00Z"}]},"spec":{"hosts":\
        ["worker-service"],"http":[{"match":[{"uri":{"prefix":"/admin"}}],"route":[{"destination":\
        {"host":"worker-service","subset":"primary"}}]},{"retries":{"attempts":3,"perTryTimeout":"2s",\
        "retryRemoteLocalities":true},"route":[{"destination":{"host":"worker-service","subset":"primary",\
        "port":{"number":80}},"weight":\(primary),"headers":{"request":{"set":{"x-ratio":"0.10"}}}},\
        {"destination":{"host":"worker-service","subset":"burst","port":{"number":80}},"weight":\(burst)}],\
        "timeout":"15s"}]},"status":{"observedGeneration":3}}
        """
    }
}

/// The parts of a Kubernetes `Status` answer (every error the API server sends) worth a log line.
struct KubernetesStatus: Decodable {
    var message: String?
    var reason: String?
}

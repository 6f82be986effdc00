import FoundationEssentials

/// Routes by editing the weights of an Istio VirtualService (`ROUTER=kubernetes`) or a Gateway API
/// HTTPRoute (`ROUTER=gateway-api`) through the Kubernetes API.
///
/// `apply` GETs the object, then PATCHes it with a JSON Patch (`application/json-patch+json`) that
/// `test`s the resourceVersion it read and sets only the two weights. If someone else wrote in
/// between, the test fails and the API server refuses the whole patch: with 422 Unprocessable Entity,
/// as it answers any JSON Patch it cannot apply (a 409 Conflict is treated the same way); the cycle
/// is then retried from a fresh GET (at most `maximumAttempts` times). When the weights are already
/// right nothing is written. Each change is recorded as an Event on the object; a failed Event is a
/// warning, not a failed change.
/// Needs exactly: get and patch on that VirtualService or HTTPRoute, create on events.
public struct KubernetesRouter: WeightRouter {
    /// GET-PATCH cycles tried before a run of refused patches is reported as an error.
    public static let maximumAttempts = 3

    /// The API server, credentials and route object.
    public let configuration: KubernetesRouterConfiguration
    private let client: KubernetesAPIClient
    private let editor: RouteWeightEditor
    /// The time stamped on Events; injectable for tests.
    private let now: @Sendable () -> Date

    /// A router for `configuration`; `now` dates the Events it records.
    public init(configuration: KubernetesRouterConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.client = KubernetesAPIClient(configuration: configuration)
        self.editor = configuration.editor
        self.now = now
    }

    public var target: String {
        "\(configuration.routeKindName) \(configuration.namespace)/\(configuration.routeName)"
    }

    public func readBurstWeight() throws(RouterError) -> Int? {
        try editor.weights(in: try fetch()).burstShare
    }

    public func apply(burstWeight: Int, reason: String) throws(RouterError) -> RouterChange {
        var lastRefusal = ""
        for _ in 1...Self.maximumAttempts {
            let object = try fetch()
            let before = try editor.weights(in: object)
            guard let patch = try editor.patch(settingBurstWeight: burstWeight, in: object) else { return .unchanged }
            let response = try client.send(
                "PATCH", configuration.routePath, body: try KubernetesJSON.encode(patch),
                contentType: KubernetesAPIClient.jsonPatch)
            switch response.status {
            case 200:
                let written = (try? editor.decode(response.body)) ?? object
                let warning = recordEvent(
                    about: written, message: "burst weight \(before.burstShare) -> \(burstWeight): \(reason)")
                return RouterChange(changed: true, warnings: warning.map { [$0] } ?? [])
            case 409, 422:
                // Written by someone else since our GET (the resourceVersion test failed): start over
                // from a fresh read. A 422 for another reason shows in the final message.
                lastRefusal = "HTTP \(response.status): \(KubernetesAPIClient.explanation(response.body))"
                continue
            default:
                throw failure(response, verb: "patch")
            }
        }
        throw RouterError(
            .conflict,
            "\(target) kept changing under us: \(Self.maximumAttempts) patches in a row were refused as out of date "
                + "(last: \(lastRefusal))")
    }

    private func fetch() throws(RouterError) -> RouteObject {
        let response = try client.send("GET", configuration.routePath)
        guard response.status == 200 else { throw failure(response, verb: "get") }
        return try editor.decode(response.body)
    }

    /// Returns a warning when the Event could not be recorded.
    private func recordEvent(about written: RouteObject, message: String) -> String? {
        let fallback = KubernetesObjectReference(
            apiVersion: configuration.routeAPIVersion, kind: configuration.routeKindName,
            name: configuration.routeName, namespace: configuration.namespace)
        let event = KubernetesEvent(
            about: KubernetesObjectReference(object: written, fallback: fallback), message: message,
            instance: configuration.reportingInstance, at: now())
        do {
            let response = try client.send("POST", configuration.eventsPath, body: try KubernetesJSON.encode(event))
            guard (200..<300).contains(response.status) else {
                return "could not record an Event on \(target): HTTP \(response.status): "
                    + "\(KubernetesAPIClient.explanation(response.body)) (the service account needs create on events)"
            }
            return nil
        } catch {
            return "could not record an Event on \(target): \(error)"
        }
    }

    private func failure(_ response: BlockingHTTPClient.Response, verb: String) -> RouterError {
        let detail = KubernetesAPIClient.explanation(response.body)
        switch response.status {
        case 401:
            return RouterError(
                .refused, "the API server rejected the service-account token (401 Unauthorized): \(detail)")
        case 403:
            return RouterError(
                .refused,
                "forbidden to \(verb) \(target) (403): the service account needs get and patch on this "
                    + "\(configuration.routeKindName) (see the RBAC in the README): \(detail)")
        case 404:
            return RouterError(
                .refused,
                "\(target) was not found (404) at \(configuration.routePath): check " + configuration.routeVariables)
        default:
            return RouterError(.refused, "\(verb) \(target) answered HTTP \(response.status): \(detail)")
        }
    }
}

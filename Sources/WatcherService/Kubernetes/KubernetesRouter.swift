import FoundationEssentials

/// Routes by editing the weights of an Istio VirtualService (`ROUTER=kubernetes`) or a Gateway API
/// HTTPRoute (`ROUTER=gateway-api`) through the Kubernetes API.
///
/// `apply` is a read-modify-write: GET the object, change only the two weights, PUT it
/// back carrying the resourceVersion it was read at. If someone else wrote in between, the API
/// server answers 409 and the whole cycle is retried with a fresh GET (at most `maximumAttempts`
/// times). When the weights are already right nothing is written. Each change is recorded as an
/// Event on the object; a failed Event is a warning, not a failed change.
/// Needs exactly: get and update on that VirtualService or HTTPRoute, create on events.
public struct KubernetesRouter: WeightRouter {
    /// GET-PUT cycles tried before a run of 409 Conflicts is reported as an error.
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
        for attempt in 1...Self.maximumAttempts {
            let document = try fetch()
            let before = try editor.weights(in: document)
            guard let updated = try editor.setting(burstWeight: burstWeight, in: document) else { return .unchanged }
            let response = try client.send("PUT", configuration.routePath, json: updated)
            switch response.status {
            case 200, 201:
                let written = (try? JSONParser.parse(response.body)) ?? updated
                let warning = recordEvent(
                    about: written, message: "burst weight \(before.burstShare) -> \(burstWeight): \(reason)")
                return RouterChange(changed: true, warnings: warning.map { [$0] } ?? [])
            case 409 where attempt < Self.maximumAttempts:
                continue  // written by someone else since our GET: start over from a fresh read
            case 409:
                throw RouterError(
                    "\(target) kept changing under us: \(Self.maximumAttempts) updates in a row answered 409 Conflict")
            default:
                throw failure(response, verb: "update")
            }
        }
        throw RouterError("unreachable: the attempt loop always returns or throws")
    }

    private func fetch() throws(RouterError) -> JSONValue {
        let response = try client.send("GET", configuration.routePath)
        guard response.status == 200 else { throw failure(response, verb: "get") }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw RouterError("the API server sent \(target) as invalid JSON (\(error))")
        }
    }

    /// Returns a warning when the Event could not be recorded.
    private func recordEvent(about written: JSONValue, message: String) -> String? {
        let fallback = KubernetesObjectReference(
            apiVersion: configuration.routeAPIVersion, kind: configuration.routeKindName,
            name: configuration.routeName, namespace: configuration.namespace)
        let event = KubernetesEvent.document(
            about: KubernetesObjectReference(document: written, fallback: fallback), message: message,
            instance: configuration.reportingInstance, at: now())
        do {
            let response = try client.send("POST", configuration.eventsPath, json: event)
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
            return RouterError("the API server rejected the service-account token (401 Unauthorized): \(detail)")
        case 403:
            return RouterError(
                "forbidden to \(verb) \(target) (403): the service account needs get and update on this "
                    + "\(configuration.routeKindName) (see the RBAC in the README): \(detail)")
        case 404:
            return RouterError(
                "\(target) was not found (404) at \(configuration.routePath): check "
                    + configuration.routeVariables)
        default:
            return RouterError("\(verb) \(target) answered HTTP \(response.status): \(detail)")
        }
    }
}

import Foundation
import Testing

@testable import WatcherService

/// The gateway-api router (the kubernetes router on an HTTPRoute) against the stand-in API server.
@Suite(.timeLimit(.minutes(1))) struct GatewayAPIRouterTests {
    static let path = "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/worker-route"

    private func router(_ server: StandInAPIServer) -> KubernetesRouter {
        KubernetesRouter(configuration: server.gatewayConfiguration()) { Date(timeIntervalSince1970: 1_714_557_600) }
    }

    @Test func readsTheCurrentWeight() throws {
        let server = try StandInAPIServer(httpRoute: HTTPRouteFixture.document(primary: 25, burst: 75))
        #expect(try router(server).readBurstWeight() == 75)
        #expect(try server.requests().first?["path"]?.stringValue == Self.path)
    }

    @Test func changesOnlyTheTwoWeightsAndRecordsAnEvent() throws {
        let server = try StandInAPIServer()
        let change = try router(server).apply(burstWeight: 100, reason: "rate 20 rps above BURST_HIGH_RPS 15")
        #expect(change == RouterChange(changed: true))
        let requests = try server.requests()
        #expect(summary(requests) == ["GET 200", "PUT 200", "POST 201"])
        #expect(requests.allSatisfy { $0["authorization"] == "Bearer test-token" })
        #expect(requests[1]["path"]?.stringValue == Self.path)
        #expect(requests[1]["contentType"] == "application/json")

        // The whole object, before and after: only the two weights differ in what was written, and
        // only they and the resourceVersion in what is stored.
        let read = try #require(requests[0]["response"])
        let put = try JSONParser.parse(requests[1]["body"]?.stringValue ?? "")
        #expect(
            VirtualServiceEditorTests.differences(read, put) == [
                "spec.rules[1].backendRefs[0].weight", "spec.rules[1].backendRefs[1].weight",
            ])
        #expect(put["metadata"]?["resourceVersion"] == "815")
        let stored = try server.storedHTTPRoute()
        #expect(
            VirtualServiceEditorTests.differences(read, stored) == [
                "metadata.resourceVersion", "spec.rules[1].backendRefs[0].weight",
                "spec.rules[1].backendRefs[1].weight",
            ])
        #expect(stored["metadata"]?["resourceVersion"] == "816")
        #expect(try router(server).readBurstWeight() == 100)

        let event = try JSONParser.parse(requests[2]["body"]?.stringValue ?? "")
        #expect(requests[2]["path"] == "/api/v1/namespaces/default/events")
        #expect(event["reason"] == "BurstWeightChanged")
        #expect(event["message"] == "burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15")
        #expect(
            event["involvedObject"] == [
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "name": "worker-route",
                "namespace": "default", "uid": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "resourceVersion": "816",
            ])
    }

    @Test func alreadyRightWritesNothing() throws {
        let server = try StandInAPIServer()
        #expect(try router(server).apply(burstWeight: 0, reason: "idle") == .unchanged)
        #expect(summary(try server.requests()) == ["GET 200"])
    }

    @Test func aConflictIsRetriedWithAFreshRead() throws {
        let server = try StandInAPIServer()
        try server.set(["bumpAfterGet": 1])
        #expect(try router(server).apply(burstWeight: 100, reason: "busy").changed)
        let requests = try server.requests()
        #expect(summary(requests) == ["GET 200", "PUT 409", "GET 200", "PUT 200", "POST 201"])
        #expect(
            requests[1]["response"]?["message"]?.stringValue?.contains("httproutes.gateway.networking.k8s.io") == true)
        #expect(try JSONParser.parse(requests[3]["body"]?.stringValue ?? "")["metadata"]?["resourceVersion"] == "816")
        #expect(try router(server).readBurstWeight() == 100)
    }

    @Test func endlessConflictsGiveUpAndLeaveTheRoute() throws {
        let server = try StandInAPIServer()
        try server.set(["bumpAfterGet": 10])
        let message = routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "busy") }
        #expect(
            message == "HTTPRoute default/worker-route kept changing under us: 3 updates in a row answered 409 Conflict"
        )
        try server.set(["bumpAfterGet": 0])
        #expect(try router(server).readBurstWeight() == 0)
    }

    @Test func aMissingBackendIsAClearErrorAndNothingIsWritten() throws {
        let server = try StandInAPIServer()
        var settings = server.gatewayConfiguration()
        settings.burstBackend = "worker-cloud"
        let message = routerErrorMessage {
            _ = try KubernetesRouter(configuration: settings).apply(burstWeight: 100, reason: "x")
        }
        #expect(
            message
                == "the HTTPRoute has no rule with backendRefs to both Services \"worker-primary\" and \"worker-cloud\" "
                + "(check PRIMARY_BACKEND and BURST_BACKEND, and that both backendRefs are listed)")
        #expect(summary(try server.requests()) == ["GET 200"])
    }

    @Test func aMissingHTTPRouteIsA404Error() throws {
        let server = try StandInAPIServer(httpRoute: nil)
        let message = routerErrorMessage { _ = try router(server).readBurstWeight() }
        #expect(message?.hasPrefix("HTTPRoute default/worker-route was not found (404) at \(Self.path)") == true)
        #expect(message?.contains("check HTTPROUTE and NAMESPACE") == true)
    }

    @Test func aWrongTokenIsA403Error() throws {
        let server = try StandInAPIServer()
        try server.account.write("token", "stolen")
        let message = routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "x") }
        #expect(message?.hasPrefix("forbidden to get HTTPRoute default/worker-route (403)") == true)
        #expect(message?.contains("needs get and update on this HTTPRoute") == true)
    }

    @Test func theVirtualServiceIsUntouched() throws {
        let server = try StandInAPIServer()
        let before = try server.storedVirtualService()
        _ = try router(server).apply(burstWeight: 100, reason: "x")
        #expect(try server.storedVirtualService() == before)
    }
}

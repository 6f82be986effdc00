import Foundation
import HashrTestSupport
import Testing

@testable import WatcherService

/// The kubernetes router against the stand-in API server.
@Suite(.timeLimit(.minutes(1))) struct KubernetesRouterTests {
    private func router(_ server: StandInAPIServer, timeout: Duration = .seconds(5)) -> KubernetesRouter {
        KubernetesRouter(configuration: server.configuration(timeout: timeout)) {
            Date(timeIntervalSince1970: 1_714_557_600)
        }
    }

    @Test func readsTheCurrentWeight() throws {
        let server = try StandInAPIServer(virtualService: VirtualServiceFixture.document(primary: 25, burst: 75))
        #expect(try router(server).readBurstWeight() == 75)
    }

    @Test func changesOnlyTheWeightsAndRecordsAnEvent() throws {
        let server = try StandInAPIServer()
        let change = try router(server).apply(burstWeight: 100, reason: "rate 20 rps above BURST_HIGH_RPS 15")
        #expect(change == RouterChange(changed: true))
        let requests = try server.requests()
        #expect(summary(requests) == ["GET 200", "PUT 200", "POST 201"])
        #expect(requests.allSatisfy { $0["authorization"] == "Bearer test-token" })
        #expect(requests[1]["contentType"] == "application/json")
        #expect(
            requests[1]["path"]
                == "/apis/networking.istio.io/v1/namespaces/default/virtualservices/worker-virtual-service")

        let read = try #require(requests[0]["response"])
        #expect(read["metadata"]?["resourceVersion"] == "4711")
        let put = try JSONParser.parse(requests[1]["body"]?.stringValue ?? "")
        #expect(
            VirtualServiceEditorTests.differences(read, put) == [
                "spec.http[1].route[0].weight", "spec.http[1].route[1].weight",
            ])
        #expect(put["metadata"]?["resourceVersion"] == "4711")
        #expect(try router(server).readBurstWeight() == 100)
        #expect(try server.storedVirtualService()["metadata"]?["resourceVersion"] == "4712")

        let event = try JSONParser.parse(requests[2]["body"]?.stringValue ?? "")
        #expect(requests[2]["path"] == "/api/v1/namespaces/default/events")
        #expect(event["reason"] == "BurstWeightChanged")
        #expect(event["type"] == "Normal")
        #expect(event["message"] == "burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15")
        #expect(event["source"]?["component"] == "istiowatcher")
        #expect(event["firstTimestamp"] == "2024-05-01T10:00:00Z")
        #expect(
            event["involvedObject"] == [
                "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "name": "worker-virtual-service",
                "namespace": "default", "uid": "0b6f1c2e-5d7a-4c1e-9f00-123456789abc", "resourceVersion": "4712",
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
        let retried = try JSONParser.parse(requests[3]["body"]?.stringValue ?? "")
        #expect(retried["metadata"]?["resourceVersion"] == "4712")
        #expect(try router(server).readBurstWeight() == 100)
    }

    @Test func endlessConflictsGiveUp() throws {
        let server = try StandInAPIServer()
        try server.set(["bumpAfterGet": 10])
        let message = routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "busy") }
        #expect(
            message
                == "VirtualService default/worker-virtual-service kept changing under us: 3 updates in a row answered 409 Conflict"
        )
        #expect(summary(try server.requests()) == ["GET 200", "PUT 409", "GET 200", "PUT 409", "GET 200", "PUT 409"])
    }

    @Test func aMissingVirtualServiceIsA404Error() throws {
        let server = try StandInAPIServer(virtualService: nil)
        let message = routerErrorMessage { _ = try router(server).readBurstWeight() }
        #expect(message?.contains("VirtualService default/worker-virtual-service was not found (404)") == true)
        #expect(message?.contains("check VIRTUAL_SERVICE, NAMESPACE and ISTIO_API_VERSION") == true)
        #expect(routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "x") } == message)
    }

    @Test func aWrongTokenIsA403Error() throws {
        let server = try StandInAPIServer()
        try server.account.write("token", "stolen")
        let message = routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "x") }
        #expect(message?.hasPrefix("forbidden to get VirtualService default/worker-virtual-service (403)") == true)
        #expect(message?.contains("needs get and update") == true)
    }

    @Test func theTokenIsReadAgainForEachRequest() throws {
        let server = try StandInAPIServer()
        let router = router(server)
        #expect(try router.readBurstWeight() == 0)
        try server.account.write("token", "rotated-but-wrong")
        #expect(routerErrorMessage { _ = try router.readBurstWeight() }?.contains("403") == true)
        try server.account.write("token", "test-token")
        #expect(try router.readBurstWeight() == 0)
        try FileManager.default.removeItem(atPath: "\(server.account.path)/token")
        #expect(
            routerErrorMessage { _ = try router.readBurstWeight() }
                == "cannot read the service-account token at \(server.account.path)/token")
        try server.account.write("token", "two\nlines")
        #expect(routerErrorMessage { _ = try router.readBurstWeight() }?.contains("spans several lines") == true)
    }

    @Test func aFailedEventIsAWarningNotAFailure() throws {
        let server = try StandInAPIServer()
        try server.set(["failEvents": 403])
        let change = try router(server).apply(burstWeight: 100, reason: "x")
        #expect(change.changed)
        #expect(change.warnings.count == 1)
        #expect(
            change.warnings.first?.contains(
                "could not record an Event on VirtualService default/worker-virtual-service: HTTP 403") == true)
        #expect(change.warnings.first?.contains("needs create on events") == true)
        #expect(try router(server).readBurstWeight() == 100)
    }

    @Test func anUnusableDocumentIsAnErrorAndNothingIsWritten() throws {
        let document =
            #"{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"worker-virtual-service","namespace":"default","resourceVersion":"1"},"spec":{"http":[{"route":[{"destination":{"subset":"primary"}}]}]}}"#
        let server = try StandInAPIServer(virtualService: document)
        #expect(
            routerErrorMessage { _ = try router(server).apply(burstWeight: 100, reason: "x") }?.contains(
                "no HTTP route with destinations of both subsets") == true)
        #expect(summary(try server.requests()) == ["GET 200"])
    }

    @Test func timeoutsAndRefusedConnectionsAreClearErrors() throws {
        let server = try StandInAPIServer()
        try server.set(["delaySeconds": 3])
        let slow = routerErrorMessage { _ = try router(server, timeout: .milliseconds(300)).readBurstWeight() }
        #expect(slow?.hasPrefix("GET \(server.url)/apis/networking.istio.io/v1/") == true)
        #expect(slow?.contains("failed: timed out:") == true, "\(slow ?? "")")

        var closed = server.configuration()
        closed.apiServerURL = "https://127.0.0.1:\(FreePort.take())"
        let refused = routerErrorMessage { _ = try KubernetesRouter(configuration: closed).readBurstWeight() }
        #expect(refused?.contains("failed: connection failed:") == true, "\(refused ?? "")")
    }

    @Test func olderIstioVersionsUseTheirPath() throws {
        let server = try StandInAPIServer()
        var configuration = server.configuration()
        configuration.istioAPIVersion = "v1beta1"
        #expect(try KubernetesRouter(configuration: configuration).readBurstWeight() == 0)
        #expect(
            try server.requests().first?["path"]
                == "/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/worker-virtual-service")
    }
}

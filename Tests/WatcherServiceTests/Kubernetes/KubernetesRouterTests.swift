import Foundation
import HashrTestSupport
import Testing

@testable import WatcherService

/// The kubernetes router, on both route kinds (`ROUTER=kubernetes` and `ROUTER=gateway-api`),
/// against the stand-in API server. Every router call blocks on HTTPS, so it runs off the
/// cooperative pool (`OffThePool`, `routerError`).
@Suite(.timeLimit(.minutes(1))) struct KubernetesRouterTests {
    /// The patch the router sent, decoded.
    private func patch(_ request: JSONTree?) throws -> JSONTree {
        try JSONTree.parse(request?["body"]?.stringValue ?? "")
    }

    @Test(arguments: RouteKindCase.allCases)
    func readsTheCurrentWeight(kind: RouteKindCase) async throws {
        let server = try await kind.standIn(primary: 25, burst: 75)
        let router = kind.router(server)
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 75)
        #expect(try await server.requests().first?["path"]?.stringValue == kind.path)
    }

    @Test(arguments: RouteKindCase.allCases)
    func changesOnlyTheTwoWeightsWithAJSONPatchAndRecordsAnEvent(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        let original = try await kind.stored(server)
        let router = kind.router(server)
        let change = try await OffThePool.run {
            try router.apply(burstWeight: 100, reason: "rate 20 rps above BURST_HIGH_RPS 15")
        }
        #expect(change == RouterChange(changed: true))
        let requests = try await server.requests()
        #expect(summary(requests) == ["GET 200", "PATCH 200", "POST 201"])
        #expect(requests.allSatisfy { $0["authorization"] == "Bearer test-token" })
        #expect(requests[1]["path"]?.stringValue == kind.path)
        #expect(requests[1]["contentType"] == "application/json-patch+json")
        // The patch tests the version read and names nothing but the two weights.
        #expect(
            try patch(requests[1]) == [
                ["op": "test", "path": "/metadata/resourceVersion", "value": .string("\(kind.resourceVersion)")],
                ["op": "replace", "path": .string(kind.pointer(0)), "value": 0],
                ["op": "replace", "path": .string(kind.pointer(1)), "value": 100],
            ])
        // The whole stored object: only the two weights and the version changed.
        let stored = try await kind.stored(server)
        #expect(
            JSONTree.differences(original, stored) == ["metadata.resourceVersion", kind.dotted(0), kind.dotted(1)])
        #expect(stored["metadata"]?["resourceVersion"] == .string("\(kind.resourceVersion + 1)"))
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 100)

        let event = try JSONTree.parse(requests[2]["body"]?.stringValue ?? "")
        #expect(requests[2]["path"] == "/api/v1/namespaces/default/events")
        #expect(requests[2]["contentType"] == "application/json")
        #expect(event["reason"] == "BurstWeightChanged")
        #expect(event["type"] == "Normal")
        #expect(event["message"] == "burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15")
        #expect(event["source"]?["component"] == "istiowatcher")
        #expect(event["firstTimestamp"] == "2024-05-01T10:00:00Z")
        var involved = kind.reference
        involved.uid = kind.uid
        involved.resourceVersion = "\(kind.resourceVersion + 1)"
        #expect(try event["involvedObject"] == JSONTree.parse(KubernetesJSON.encode(involved)))
    }

    @Test(arguments: RouteKindCase.allCases)
    func alreadyRightWritesNothing(kind: RouteKindCase) async throws {
        let server = try await kind.standIn(primary: 60, burst: 40)
        let router = kind.router(server)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 40, reason: "idle") } == .unchanged)
        #expect(summary(try await server.requests()) == ["GET 200"])
    }

    @Test(arguments: RouteKindCase.allCases)
    func aFailedTestIsRetriedWithAFreshReadAndTest(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        try await server.set(["bumpAfterGet": 1])
        let router = kind.router(server)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 100, reason: "busy") }.changed)
        let requests = try await server.requests()
        // 422, not 409: the API server's answer to a JSON Patch whose test fails.
        #expect(summary(requests) == ["GET 200", "PATCH 422", "GET 200", "PATCH 200", "POST 201"])
        #expect(requests[1]["response"]?["reason"] == "Invalid")
        #expect(try patch(requests[1])[0]?["value"] == .string("\(kind.resourceVersion)"))
        #expect(try patch(requests[3])[0]?["value"] == .string("\(kind.resourceVersion + 1)"))
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 100)
    }

    @Test(arguments: RouteKindCase.allCases)
    func aRetryAfterAnEditPatchesTheWeightsWhereTheyNowAre(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        try await server.set(["moveAfterGet": 1])  // someone inserts a rule before ours
        let router = kind.router(server)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 100, reason: "busy") }.changed)
        let requests = try await server.requests()
        #expect(summary(requests) == ["GET 200", "PATCH 422", "GET 200", "PATCH 200", "POST 201"])
        #expect(try patch(requests[3])[2]?["path"] == .string(kind.pointer(rule: 2, 1)))
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 100)
    }

    @Test(arguments: RouteKindCase.allCases)
    func endlessConflictsGiveUpAndLeaveTheRoute(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        try await server.set(["bumpAfterGet": 10])
        let router = kind.router(server)
        let error = try await routerError { _ = try router.apply(burstWeight: 100, reason: "busy") }
        #expect(error?.kind == .conflict)
        #expect(
            error?.message
                == "\(kind.target) kept changing under us: 3 patches in a row were refused as out of date (last: "
                + "HTTP 422: the server rejected our request due to an error in our request)")
        #expect(
            summary(try await server.requests()) == Array(repeating: ["GET 200", "PATCH 422"], count: 3).flatMap { $0 })
        try await server.set(["bumpAfterGet": 0])
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
    }

    @Test(arguments: RouteKindCase.allCases)
    func aMissingDestinationIsAClearErrorAndNothingIsWritten(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        let router = KubernetesRouter(configuration: kind.configurationWithUnknownBurst(server))
        let error = try await routerError { _ = try router.apply(burstWeight: 100, reason: "x") }
        #expect(error == RouterError(.unusableRoute, kind.unknownBurstMessage))
        #expect(summary(try await server.requests()) == ["GET 200"])
    }

    @Test(arguments: RouteKindCase.allCases)
    func aMissingObjectIsA404Error(kind: RouteKindCase) async throws {
        let server = try await kind.standInWithoutTheObject()
        let router = kind.router(server)
        let read = try await routerError { _ = try router.readBurstWeight() }
        #expect(read?.kind == .refused)
        #expect(read?.message.hasPrefix("\(kind.target) was not found (404) at \(kind.path)") == true)
        #expect(read?.message.contains(kind.notFoundVariables) == true)
        #expect(try await routerError { _ = try router.apply(burstWeight: 100, reason: "x") } == read)
    }

    @Test(arguments: RouteKindCase.allCases)
    func aWrongTokenIsA403Error(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        try server.account.write("token", "stolen")
        let router = kind.router(server)
        let message = try await routerError { _ = try router.apply(burstWeight: 100, reason: "x") }?.message
        #expect(message?.hasPrefix("forbidden to get \(kind.target) (403)") == true)
        #expect(message?.contains("needs get and patch on this") == true)
    }

    @Test(arguments: RouteKindCase.allCases)
    func aFailedEventIsAWarningNotAFailure(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        try await server.set(["failEvents": 403])
        let router = kind.router(server)
        let change = try await OffThePool.run { try router.apply(burstWeight: 100, reason: "x") }
        #expect(change.changed)
        #expect(change.warnings.count == 1)
        #expect(change.warnings.first?.contains("could not record an Event on \(kind.target): HTTP 403") == true)
        #expect(change.warnings.first?.contains("needs create on events") == true)
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 100)
    }

    @Test(arguments: RouteKindCase.allCases)
    func theOtherRouteObjectIsUntouched(kind: RouteKindCase) async throws {
        let server = try await kind.standIn()
        let before = try await kind.storedOther(server)
        let router = kind.router(server)
        _ = try await OffThePool.run { try router.apply(burstWeight: 100, reason: "x") }
        #expect(try await kind.storedOther(server) == before)
    }

    @Test func aMissingWeightIsAddedNotReplaced() async throws {
        let server = try await StandInAPIServer.started(httpRoute: HTTPRouteFixture.document(primary: 1, burst: nil))
        let router = RouteKindCase.httpRoute.router(server)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 0, reason: "idle") }.changed)
        let operations = try patch(try await server.requests()[1])
        #expect(operations[1]?["op"] == "replace")
        #expect(operations[2] == ["op": "add", "path": "/spec/rules/1/backendRefs/1/weight", "value": 0])
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
    }

    @Test func theTokenIsReadAgainForEachRequest() async throws {
        let server = try await StandInAPIServer.started()
        let router = RouteKindCase.virtualService.router(server)
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
        try server.account.write("token", "rotated-but-wrong")
        #expect(try await routerError { _ = try router.readBurstWeight() }?.message.contains("403") == true)
        try server.account.write("token", "test-token")
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
        try FileManager.default.removeItem(atPath: "\(server.account.path)/token")
        #expect(
            try await routerError { _ = try router.readBurstWeight() }
                == RouterError(.unreachable, "cannot read the service-account token at \(server.account.path)/token"))
        try server.account.write("token", "two\nlines")
        #expect(
            try await routerError { _ = try router.readBurstWeight() }?.message.contains("spans several lines") == true)
    }

    @Test func anUnusableDocumentIsAnErrorAndNothingIsWritten() async throws {
        let document =
            #"{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"worker-virtual-service","namespace":"default","resourceVersion":"1"},"spec":{"http":[{"route":[{"destination":{"subset":"primary"}}]}]}}"#
        let server = try await StandInAPIServer.started(virtualService: document)
        let router = RouteKindCase.virtualService.router(server)
        let error = try await routerError { _ = try router.apply(burstWeight: 100, reason: "x") }
        #expect(error?.message.contains("no HTTP route with destinations of both subsets") == true)
        #expect(summary(try await server.requests()) == ["GET 200"])
    }

    @Test func timeoutsAndRefusedConnectionsAreClearErrors() async throws {
        let server = try await StandInAPIServer.started()
        try await server.set(["delaySeconds": 3])
        let slowRouter = KubernetesRouter(configuration: server.configuration(timeout: .milliseconds(300)))
        let slow = try await routerError { _ = try slowRouter.readBurstWeight() }
        #expect(slow?.kind == .unreachable)
        #expect(slow?.message.hasPrefix("GET \(server.url)/apis/networking.istio.io/v1/") == true)
        #expect(slow?.message.contains("failed: timed out:") == true, "\(slow?.message ?? "")")

        var closed = server.configuration()
        closed.apiServerURL = "https://127.0.0.1:\(FreePort.take())"
        let closedRouter = KubernetesRouter(configuration: closed)
        let refused = try await routerError { _ = try closedRouter.readBurstWeight() }
        #expect(refused?.message.contains("failed: connection failed:") == true, "\(refused?.message ?? "")")
    }

    @Test func olderIstioVersionsUseTheirPath() async throws {
        let server = try await StandInAPIServer.started()
        var configuration = server.configuration()
        configuration.istioAPIVersion = "v1beta1"
        let router = KubernetesRouter(configuration: configuration)
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
        #expect(
            try await server.requests().first?["path"]
                == "/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/worker-virtual-service")
    }
}

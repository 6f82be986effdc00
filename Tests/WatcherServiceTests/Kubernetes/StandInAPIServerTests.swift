import Testing

@testable import WatcherService

/// The stand-in API server answers PATCH as the real one does (see the script's docstring for the
/// sources), so the router's tests mean something. Each case is a raw request.
@Suite(.timeLimit(.minutes(1))) struct StandInAPIServerTests {
    static let path = RouteKindCase.virtualService.path
    static let weight = "/spec/http/1/route/1/weight"
    static let generic = "the server rejected our request due to an error in our request"

    /// A patch testing `version` and setting the burst weight to 100.
    static func patch(version: String = "4711", path: String = weight) -> String {
        #"[{"op":"test","path":"/metadata/resourceVersion","value":"\#(version)"},"#
            + #"{"op":"replace","path":"\#(path)","value":100}]"#
    }

    @Test func aGoodPatchIsAppliedAndGetsANewVersion() async throws {
        let server = try await StandInAPIServer.started()
        let answer = try await server.send(
            "PATCH", Self.path, body: Self.patch(), contentType: "application/json-patch+json; charset=utf-8")
        #expect(answer.status == 200)
        #expect(answer.body["metadata"]?["resourceVersion"] == "4712")
        let stored = try await server.storedVirtualService()
        #expect(stored == answer.body)
        #expect(stored["spec"]?["http"]?[1]?["route"]?[1]?["weight"] == 100)
    }

    @Test(arguments: [
        "application/json", "application/strategic-merge-patch+json", "text/plain", "",
    ])
    func otherContentTypesAre415(contentType: String) async throws {
        let server = try await StandInAPIServer.started()
        let answer = try await server.send(
            "PATCH", Self.path, body: Self.patch(), contentType: contentType.isEmpty ? nil : contentType)
        #expect(answer.status == 415)
        #expect(answer.body["reason"] == "UnsupportedMediaType")
        #expect(
            answer.body["message"]?.stringValue
                == "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }

    @Test(arguments: ["not json", "{}", #"{"op":"test"}"#, "[1]", #"["replace"]"#])
    func aPatchThatDoesNotDecodeIs400(body: String) async throws {
        let server = try await StandInAPIServer.started()
        let answer = try await server.send("PATCH", Self.path, body: body, contentType: "application/json-patch+json")
        #expect(answer.status == 400)
        #expect(answer.body["reason"] == "BadRequest")
        #expect(try await server.storedVirtualService()["metadata"]?["resourceVersion"] == "4711")
    }

    @Test(arguments: [
        patch(version: "4710"),  // a failed test of the version
        patch(path: "/spec/http/7/route/1/weight"),  // a path that does not exist
        patch(path: "/spec/http/1/route/1/nothing/weight"),
        #"[{"op":"test","path":"/spec/http/1/route/1/weight","value":"0"}]"#,  // "0" is not 0
        #"[{"op":"remove","path":"/spec/nothing"}]"#,
        #"[{"op":"frobnicate","path":"/spec"}]"#,  // an unknown op decodes, then fails to apply
    ])
    func aPatchThatCannotBeAppliedIs422AndChangesNothing(body: String) async throws {
        let server = try await StandInAPIServer.started()
        let before = try await server.storedVirtualService()
        let answer = try await server.send("PATCH", Self.path, body: body, contentType: "application/json-patch+json")
        #expect(answer.status == 422)
        #expect(answer.body["reason"] == "Invalid")
        #expect(answer.body["message"] == .string(Self.generic))
        #expect(try await server.storedVirtualService() == before)
    }

    @Test func aPatchThatChangesTheVersionIsAConflict() async throws {
        let server = try await StandInAPIServer.started()
        let answer = try await server.send(
            "PATCH", Self.path, body: #"[{"op":"replace","path":"/metadata/resourceVersion","value":"1"}]"#,
            contentType: "application/json-patch+json")
        #expect(answer.status == 409)
        #expect(answer.body["reason"] == "Conflict")
    }

    @Test func patchNeedsTheToken() async throws {
        let server = try await StandInAPIServer.started()
        for (token, status) in [(nil, 401), ("wrong", 403)] as [(String?, Int)] {
            let answer = try await server.send(
                "PATCH", Self.path, body: Self.patch(), contentType: "application/json-patch+json", token: token)
            #expect(answer.status == status)
        }
        #expect(try await server.storedVirtualService()["metadata"]?["resourceVersion"] == "4711")
    }

    @Test func theHTTPRouteIsPatchedTheSameWay() async throws {
        let server = try await StandInAPIServer.started()
        let path = RouteKindCase.httpRoute.path
        let stale = try await server.send(
            "PATCH", path, body: Self.patch(version: "4711", path: "/spec/rules/1/backendRefs/1/weight"),
            contentType: "application/json-patch+json")
        #expect(stale.status == 422)
        let fresh = try await server.send(
            "PATCH", path, body: Self.patch(version: "815", path: "/spec/rules/1/backendRefs/1/weight"),
            contentType: "application/json-patch+json")
        #expect(fresh.status == 200)
        #expect(try await server.storedHTTPRoute()["spec"]?["rules"]?[1]?["backendRefs"]?[1]?["weight"] == 100)
    }
}

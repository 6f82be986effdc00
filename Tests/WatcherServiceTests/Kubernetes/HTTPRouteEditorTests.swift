import Testing

@testable import WatcherService

/// The route editor on HTTPRoutes: backendRefs by Service name, a missing weight reads as 1.
@Suite struct HTTPRouteEditorTests {
    let editor = RouteWeightEditor(kind: .httpRoute, primary: "worker-primary", burst: "worker-burst")

    private func parse(_ text: String) throws -> RouteObject { try editor.decode(Array(text.utf8)) }

    @Test func readsAndPatchesOnlyTheTwoWeights() throws {
        let original = try parse(HTTPRouteFixture.document())
        #expect(try editor.weights(in: original) == SubsetWeights(primary: 100, burst: 0))
        #expect(
            try editor.patch(settingBurstWeight: 30, in: original) == [
                JSONPatchOperation(.test, "/metadata/resourceVersion", .string("815")),
                JSONPatchOperation(.replace, "/spec/rules/1/backendRefs/0/weight", .integer(70)),
                JSONPatchOperation(.replace, "/spec/rules/1/backendRefs/1/weight", .integer(30)),
            ])
        #expect(
            try editor.patch(settingBurstWeight: 30, in: parse(HTTPRouteFixture.document(primary: 70, burst: 30)))
                == nil)
    }

    @Test func aMissingWeightIsOneAsTheAPIDefaultsAndIsAdded() throws {
        let document = try parse(HTTPRouteFixture.document(primary: 1, burst: nil))
        #expect(try editor.weights(in: document) == SubsetWeights(primary: 1, burst: 1))
        #expect(try editor.weights(in: document).burstShare == 50)
        let patch = try #require(try editor.patch(settingBurstWeight: 0, in: document))
        #expect(patch.last == JSONPatchOperation(.add, "/spec/rules/1/backendRefs/1/weight", .integer(0)))
    }

    @Test func largeWeightsAreReadAsTheirShare() throws {
        let document = try parse(HTTPRouteFixture.document(primary: 250_000, burst: 750_000))
        #expect(try editor.weights(in: document).burstShare == 75)
        let tooLarge = try parse(HTTPRouteFixture.document(primary: 1_000_001, burst: 0))
        #expect(
            routerErrorMessage { _ = try editor.weights(in: tooLarge) }
                == "spec.rules[1].backendRefs[0].weight is 1000001, not an integer 0...1000000")
    }

    @Test func onlyBackendRefsToCoreServicesCount() throws {
        let document = try parse(
            #"{"spec":{"rules":[{"backendRefs":[{"group":"multicluster.x-k8s.io","kind":"ServiceImport","name":"worker-burst","weight":5},{"name":"worker-primary","weight":100},{"kind":"Service","name":"worker-burst","weight":0}]}]}}"#
        )
        #expect(
            routerErrorMessage { _ = try editor.weights(in: document) }?.contains(
                "spec.rules[0].backendRefs[0] sends traffic to a destination other than Services") == true)
    }

    @Test func anotherUnweightedBackendWouldTakeTraffic() throws {
        let document = try parse(
            #"{"spec":{"rules":[{"backendRefs":[{"name":"worker-primary","weight":100},{"name":"worker-burst","weight":0},{"name":"other"}]}]}}"#
        )
        #expect(
            routerErrorMessage { _ = try editor.patch(settingBurstWeight: 100, in: document) }?.contains(
                "weights would not add up to 100") == true)
    }

    @Test func noRulesIsAnError() throws {
        #expect(
            routerErrorMessage { _ = try editor.weights(in: try parse(#"{"spec":{"parentRefs":[]}}"#)) }
                == "the HTTPRoute has no spec.rules, so there are no weights to set")
    }
}

import Testing

@testable import WatcherService

/// The route editor on VirtualServices: destinations by subset, the JSON Patch it writes.
@Suite struct VirtualServiceEditorTests {
    let editor = VirtualServiceEditor()

    private func parse(_ text: String) throws -> RouteObject { try editor.decode(Array(text.utf8)) }

    @Test func readsTheWeights() throws {
        #expect(
            try editor.weights(in: parse(VirtualServiceFixture.document())) == SubsetWeights(primary: 100, burst: 0))
        #expect(try editor.weights(in: parse(VirtualServiceFixture.document(primary: 30, burst: 70))).burstShare == 70)
    }

    @Test func patchesOnlyTheTwoWeightsAfterTestingTheVersion() throws {
        let patch = try editor.patch(settingBurstWeight: 100, in: parse(VirtualServiceFixture.document()))
        #expect(
            patch == [
                JSONPatchOperation(.test, "/metadata/resourceVersion", .string("4711")),
                JSONPatchOperation(.replace, "/spec/http/1/route/0/weight", .integer(0)),
                JSONPatchOperation(.replace, "/spec/http/1/route/1/weight", .integer(100)),
            ])
        // RFC 6902 on the wire: keys sorted, slashes as written.
        #expect(
            String(decoding: try KubernetesJSON.encode(patch), as: UTF8.self)
                == #"[{"op":"test","path":"/metadata/resourceVersion","value":"4711"},"#
                + #"{"op":"replace","path":"/spec/http/1/route/0/weight","value":0},"#
                + #"{"op":"replace","path":"/spec/http/1/route/1/weight","value":100}]"#)
    }

    @Test func alreadyRightWritesNothing() throws {
        #expect(try editor.patch(settingBurstWeight: 0, in: parse(VirtualServiceFixture.document())) == nil)
        #expect(
            try editor.patch(settingBurstWeight: 40, in: parse(VirtualServiceFixture.document(primary: 60, burst: 40)))
                == nil)
    }

    @Test func intermediateWeights() throws {
        let patch = try #require(try editor.patch(settingBurstWeight: 35, in: parse(VirtualServiceFixture.document())))
        #expect(patch.map(\.value) == [.string("4711"), .integer(65), .integer(35)])
    }

    @Test func withoutAVersionTheCurrentWeightsAreTestedAndMissingOnesAdded() throws {
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"burst"}},{"destination":{"subset":"primary"},"weight":100}]}]}}"#
        )
        #expect(try editor.weights(in: document) == SubsetWeights(primary: 100, burst: 0))
        #expect(
            try editor.patch(settingBurstWeight: 100, in: document) == [
                JSONPatchOperation(.test, "/spec/http/0/route/1/weight", .integer(100)),
                JSONPatchOperation(.replace, "/spec/http/0/route/1/weight", .integer(0)),
                JSONPatchOperation(.add, "/spec/http/0/route/0/weight", .integer(100)),
            ])
    }

    @Test func everyRouteWithBothSubsetsIsChanged() throws {
        let route =
            #"{"route":[{"destination":{"subset":"primary"},"weight":100},{"destination":{"subset":"burst"},"weight":0}]}"#
        let done =
            #"{"route":[{"destination":{"subset":"primary"},"weight":0},{"destination":{"subset":"burst"},"weight":100}]}"#
        let document = try parse(
            #"{"metadata":{"resourceVersion":"7"},"spec":{"http":[\#(route),\#(done),\#(route)]}}"#)
        let patch = try #require(try editor.patch(settingBurstWeight: 100, in: document))
        #expect(
            patch.map(\.path) == [
                "/metadata/resourceVersion", "/spec/http/0/route/0/weight", "/spec/http/0/route/1/weight",
                "/spec/http/2/route/0/weight", "/spec/http/2/route/1/weight",
            ])
    }

    @Test func configurableSubsetNames() throws {
        let custom = VirtualServiceEditor(primarySubset: "onprem", burstSubset: "cloud")
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"onprem"},"weight":100},{"destination":{"subset":"cloud"},"weight":0}]}]}}"#
        )
        #expect(try custom.weights(in: document) == SubsetWeights(primary: 100, burst: 0))
        #expect(try custom.patch(settingBurstWeight: 100, in: document)?.count == 4)
        #expect(throws: RouterError.self) { try editor.weights(in: document) }
    }

    @Test(arguments: [
        ("[]", "is not what the API serves: at the top level: expected an object"),
        ("not json", "is not what the API serves: not valid JSON"),
        (#"{"spec":{"http":{}}}"#, "is not what the API serves: at spec.http: expected an array"),
        (#"{"metadata":{}}"#, "has no spec"),
        (#"{"spec":{"hosts":["w"]}}"#, "has no spec.http routes"),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"}}]}]}}"#,
            #"no HTTP route with destinations of both subsets "primary" and "burst""#
        ),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"}},{"destination":{"subset":"burst"}},{"destination":{"subset":"burst"}}]}]}}"#,
            "more than one destination"
        ),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"}},{"destination":{"subset":"burst"}},{"destination":{"subset":"canary"},"weight":10}]}]}}"#,
            "spec.http[0].route[2] sends traffic to a destination other than"
        ),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"},"weight":"100"},{"destination":{"subset":"burst"}}]}]}}"#,
            #"spec.http[0].route[0].weight is "100", not an integer"#
        ),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"},"weight":101},{"destination":{"subset":"burst"}}]}]}}"#,
            "weight is 101"
        ),
        (
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"},"weight":50.5},{"destination":{"subset":"burst"}}]}]}}"#,
            "weight is 50.5"
        ),
    ])
    func unusableDocumentsAreClearErrors(text: String, fragment: String) throws {
        for attempt in [
            { _ = try editor.weights(in: parse(text)) },
            { _ = try editor.patch(settingBurstWeight: 100, in: parse(text)) },
        ] {
            #expect { try attempt() } throws: {
                ($0 as? RouterError)?.kind == .unusableRoute && ($0 as? RouterError)?.message.contains(fragment) == true
            }
        }
    }

    @Test func unusedOtherDestinationsAreAllowed() throws {
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"},"weight":100},{"destination":{"subset":"burst"}},{"destination":{"subset":"canary"},"weight":0}]}]}}"#
        )
        let patch = try #require(try editor.patch(settingBurstWeight: 100, in: document))
        #expect(
            patch.filter { $0.op != .test }.map(\.path) == [
                "/spec/http/0/route/0/weight", "/spec/http/0/route/1/weight",
            ])
    }

    @Test func outOfRangeTargetIsRefused() throws {
        let document = try parse(VirtualServiceFixture.document())
        #expect(throws: RouterError(.invalidWeight, "burst weight 101 is not in 0...100")) {
            try editor.patch(settingBurstWeight: 101, in: document)
        }
    }

    @Test(arguments: [(100, 0, 0), (0, 100, 100), (60, 40, 40), (0, 0, 0), (200, 56, 22), (1, 2, 67)])
    func burstShare(primary: Int, burst: Int, share: Int) {
        #expect(SubsetWeights(primary: primary, burst: burst).burstShare == share)
    }
}

import Testing

@testable import WatcherService

@Suite struct VirtualServiceEditorTests {
    let editor = VirtualServiceEditor()

    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    /// Every path (like `spec.http[1].route[0].weight`) at which two documents differ.
    static func differences(_ a: JSONValue?, _ b: JSONValue?, at path: String = "") -> [String] {
        switch (a, b) {
        case (.object(let left)?, .object(let right)?):
            let keys = left.map(\.key) + right.map(\.key).filter { key in !left.contains { $0.key == key } }
            return keys.flatMap { differences(a?[$0], b?[$0], at: path.isEmpty ? $0 : "\(path).\($0)") }
        case (.array(let left)?, .array(let right)?) where left.count == right.count:
            return left.indices.flatMap { differences(left[$0], right[$0], at: "\(path)[\($0)]") }
        default:
            return a == b ? [] : [path]
        }
    }

    @Test func readsTheWeights() throws {
        #expect(
            try editor.weights(in: parse(VirtualServiceFixture.document())) == SubsetWeights(primary: 100, burst: 0))
        #expect(try editor.weights(in: parse(VirtualServiceFixture.document(primary: 30, burst: 70))).burstShare == 70)
    }

    @Test func changesOnlyTheTwoWeights() throws {
        let original = try parse(VirtualServiceFixture.document())
        let updated = try #require(try editor.setting(burstWeight: 100, in: original))
        #expect(
            Self.differences(original, updated) == ["spec.http[1].route[0].weight", "spec.http[1].route[1].weight"])
        #expect(try editor.weights(in: updated) == SubsetWeights(primary: 0, burst: 100))
        #expect(updated["metadata"]?["resourceVersion"] == "4711")
        // Byte for byte, apart from the two numbers: key order, 1.5e1, "0.10" and the escapes survive.
        let expected = try parse(VirtualServiceFixture.document(primary: 0, burst: 100)).serialized
        #expect(updated.serialized == expected)
        #expect(try parse(updated.serialized) == updated)
    }

    @Test func alreadyRightWritesNothing() throws {
        #expect(try editor.setting(burstWeight: 0, in: parse(VirtualServiceFixture.document())) == nil)
        #expect(
            try editor.setting(burstWeight: 40, in: parse(VirtualServiceFixture.document(primary: 60, burst: 40)))
                == nil)
    }

    @Test func intermediateWeights() throws {
        let updated = try #require(try editor.setting(burstWeight: 35, in: parse(VirtualServiceFixture.document())))
        #expect(try editor.weights(in: updated) == SubsetWeights(primary: 65, burst: 35))
    }

    @Test func missingWeightsReadAsZeroAndAreAdded() throws {
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"burst"}},{"destination":{"subset":"primary"},"weight":100}]}]}}"#
        )
        #expect(try editor.weights(in: document) == SubsetWeights(primary: 100, burst: 0))
        let updated = try #require(try editor.setting(burstWeight: 100, in: document))
        #expect(
            updated.serialized
                == #"{"spec":{"http":[{"route":[{"destination":{"subset":"burst"},"weight":100},{"destination":{"subset":"primary"},"weight":0}]}]}}"#
        )
    }

    @Test func everyRouteWithBothSubsetsIsChanged() throws {
        let route =
            #"{"route":[{"destination":{"subset":"primary"},"weight":100},{"destination":{"subset":"burst"},"weight":0}]}"#
        let mixed =
            #"{"route":[{"destination":{"subset":"primary"},"weight":0},{"destination":{"subset":"burst"},"weight":100}]}"#
        let document = try parse(#"{"spec":{"http":[\#(route),\#(mixed)]}}"#)
        let updated = try #require(try editor.setting(burstWeight: 100, in: document))
        #expect(
            Self.differences(document, updated) == ["spec.http[0].route[0].weight", "spec.http[0].route[1].weight"])
        #expect(try editor.setting(burstWeight: 100, in: updated) == nil)
    }

    @Test func configurableSubsetNames() throws {
        let custom = VirtualServiceEditor(primarySubset: "onprem", burstSubset: "cloud")
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"onprem"},"weight":100},{"destination":{"subset":"cloud"},"weight":0}]}]}}"#
        )
        #expect(
            try custom.setting(burstWeight: 100, in: document).map { try custom.weights(in: $0) }
                == SubsetWeights(primary: 0, burst: 100))
        #expect(throws: RouterError.self) { try editor.weights(in: document) }
    }

    @Test(arguments: [
        ("[]", "is an array, not an object"),
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
        let document = try parse(text)
        for attempt in [
            { _ = try editor.weights(in: document) }, { _ = try editor.setting(burstWeight: 100, in: document) },
        ] {
            #expect { try attempt() } throws: { ($0 as? RouterError)?.message.contains(fragment) == true }
        }
    }

    @Test func unusedOtherDestinationsAreAllowed() throws {
        let document = try parse(
            #"{"spec":{"http":[{"route":[{"destination":{"subset":"primary"},"weight":100},{"destination":{"subset":"burst"}},{"destination":{"subset":"canary"},"weight":0}]}]}}"#
        )
        let updated = try #require(try editor.setting(burstWeight: 100, in: document))
        #expect(
            Self.differences(document, updated) == ["spec.http[0].route[0].weight", "spec.http[0].route[1].weight"])
    }

    @Test func outOfRangeTargetIsRefused() throws {
        let document = try parse(VirtualServiceFixture.document())
        #expect(throws: RouterError("burst weight 101 is not in 0...100")) {
            try editor.setting(burstWeight: 101, in: document)
        }
    }

    @Test(arguments: [(100, 0, 0), (0, 100, 100), (60, 40, 40), (0, 0, 0), (200, 56, 22), (1, 2, 67)])
    func burstShare(primary: Int, burst: Int, share: Int) {
        #expect(SubsetWeights(primary: primary, burst: burst).burstShare == share)
    }
}

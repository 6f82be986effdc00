import Foundation
import Testing

@testable import WatcherService

@Suite struct KubernetesEventTests {
    let virtualService = KubernetesObjectReference(
        apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "worker-virtual-service",
        namespace: "default", uid: "uid-1", resourceVersion: "4712")

    @Test func eventDocument() throws {
        let event = KubernetesEvent(
            about: virtualService, message: "burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15",
            instance: "istiowatcher-7d9f", at: Date(timeIntervalSince1970: 1_714_557_600))
        // Keys sorted by the encoder: JSON objects have no order, and equal Events give equal bytes.
        #expect(
            String(decoding: try KubernetesJSON.encode(event), as: UTF8.self)
                == #"{"apiVersion":"v1","count":1,"firstTimestamp":"2024-05-01T10:00:00Z","involvedObject":{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","name":"worker-virtual-service","namespace":"default","resourceVersion":"4712","uid":"uid-1"},"kind":"Event","lastTimestamp":"2024-05-01T10:00:00Z","message":"burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15","metadata":{"generateName":"worker-virtual-service.","labels":{"app.kubernetes.io/managed-by":"istiowatcher"},"namespace":"default"},"reason":"BurstWeightChanged","reportingComponent":"istiowatcher","reportingInstance":"istiowatcher-7d9f","source":{"component":"istiowatcher","host":"istiowatcher-7d9f"},"type":"Normal"}"#
        )
    }

    @Test func longMessagesAreCutAndInstanceIsOptional() throws {
        let event = KubernetesEvent(
            about: virtualService, message: String(repeating: "x", count: 5000), at: Date(timeIntervalSince1970: 0))
        let json = try JSONTree.parse(KubernetesJSON.encode(event))
        #expect(json["message"]?.stringValue?.count == 1024)
        #expect(json["reportingInstance"] == nil)
        #expect(json["source"] == ["component": "istiowatcher"])
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_709_251_199.9, "2024-02-29T23:59:59Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (1_234_567_890, "2009-02-13T23:31:30Z"),
        (-0.5, "1969-12-31T23:59:59Z"), (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func timestamps(seconds: Double, text: String) {
        #expect(KubernetesEvent.timestamp(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func referenceFromAnAnswerPrefersTheAnswer() throws {
        let editor = RouteWeightEditor()
        let answer = try editor.decode(Array(VirtualServiceFixture.document(resourceVersion: "9").utf8))
        let reference = KubernetesObjectReference(object: answer, fallback: virtualService)
        #expect(
            reference
                == KubernetesObjectReference(
                    apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "worker-virtual-service",
                    namespace: "default", uid: "0b6f1c2e-5d7a-4c1e-9f00-123456789abc", resourceVersion: "9"))
        #expect(
            KubernetesObjectReference(object: try editor.decode(Array("{}".utf8)), fallback: virtualService)
                == virtualService)
        let bare = KubernetesObjectReference(apiVersion: "v1", kind: "Pod", name: "p", namespace: "n")
        #expect(
            String(decoding: try KubernetesJSON.encode(bare), as: UTF8.self)
                == #"{"apiVersion":"v1","kind":"Pod","name":"p","namespace":"n"}"#)
    }
}

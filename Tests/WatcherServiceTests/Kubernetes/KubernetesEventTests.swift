import Foundation
import Testing

@testable import WatcherService

@Suite struct KubernetesEventTests {
    let virtualService = KubernetesObjectReference(
        apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "worker-virtual-service",
        namespace: "default", uid: "uid-1", resourceVersion: "4712")

    @Test func eventDocument() {
        let event = KubernetesEvent.document(
            about: virtualService, message: "burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15",
            instance: "istiowatcher-7d9f", at: Date(timeIntervalSince1970: 1_714_557_600))
        #expect(
            event.serialized
                == #"{"apiVersion":"v1","kind":"Event","metadata":{"generateName":"worker-virtual-service.","namespace":"default","labels":{"app.kubernetes.io/managed-by":"istiowatcher"}},"involvedObject":{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","name":"worker-virtual-service","namespace":"default","uid":"uid-1","resourceVersion":"4712"},"reason":"BurstWeightChanged","message":"burst weight 0 -> 100: rate 20 rps above BURST_HIGH_RPS 15","type":"Normal","source":{"component":"istiowatcher","host":"istiowatcher-7d9f"},"firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1,"reportingComponent":"istiowatcher","reportingInstance":"istiowatcher-7d9f"}"#
        )
    }

    @Test func longMessagesAreCutAndInstanceIsOptional() {
        let event = KubernetesEvent.document(
            about: virtualService, message: String(repeating: "x", count: 5000), at: Date(timeIntervalSince1970: 0))
        #expect(event["message"]?.stringValue?.count == 1024)
        #expect(event["reportingInstance"] == nil)
        #expect(event["source"] == ["component": "istiowatcher"])
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_709_251_199.9, "2024-02-29T23:59:59Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (1_234_567_890, "2009-02-13T23:31:30Z"),
    ])
    func timestamps(seconds: Double, text: String) {
        #expect(KubernetesEvent.timestamp(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func referenceFromAnAnswerPrefersTheAnswer() throws {
        let answer = try JSONParser.parse(VirtualServiceFixture.document(resourceVersion: "9"))
        let reference = KubernetesObjectReference(document: answer, fallback: virtualService)
        #expect(
            reference
                == KubernetesObjectReference(
                    apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "worker-virtual-service",
                    namespace: "default", uid: "0b6f1c2e-5d7a-4c1e-9f00-123456789abc", resourceVersion: "9"))
        #expect(KubernetesObjectReference(document: [:], fallback: virtualService) == virtualService)
        let bare = KubernetesObjectReference(apiVersion: "v1", kind: "Pod", name: "p", namespace: "n")
        #expect(bare.json.serialized == #"{"apiVersion":"v1","kind":"Pod","name":"p","namespace":"n"}"#)
    }
}

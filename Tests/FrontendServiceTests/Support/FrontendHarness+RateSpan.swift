import HashrCore
import HashrTestSupport

@testable import FrontendService

extension FrontendHarness {
    /// Sets the rate to `rps` and back to 0 after `duration`, both on the frontend's own loop (a
    /// test task held up by a busy machine must not stretch or shrink the span), through the same
    /// path as `PUT /api/rate`. `sample`, if given, is called on the loop after `sampleAfter`.
    /// Returns how many requests fell due in the span that really passed (a starved loop fires
    /// the stop late, and more fall due): request 0 at the start, then one every 1/rps.
    func runRate(
        _ rps: Int, for duration: Duration, sampleAfter: Duration? = nil,
        sample: @escaping @Sendable (FrontendService) -> Void = { _ in }
    ) async -> Int {
        let frontend = self.frontend
        let loop = frontendThread.loop
        let span = LockedList<Int64>()
        _ = await frontendThread.submitAsync { (complete: @escaping (Bool) -> Void) in
            let service = frontend.value
            // Read on the scheduler's clock right before each change reads it (after would count a
            // preemption of this thread in between as time the schedule ran).
            span.append(FrontendService.now())
            _ = try? service.generator.setRate(fromBody: Array("{\"rps\": \(rps)}".utf8))
            // Each timer closes itself when it fires: the closure holds it until then.
            if let sampleAfter {
                var sampler: LoopTimer?
                sampler = LoopTimer(loop: loop) {
                    sample(service)
                    sampler?.close()
                    sampler = nil
                }
                sampler?.start(after: sampleAfter)
            }
            var stop: LoopTimer?
            stop = LoopTimer(loop: loop) {
                span.append(FrontendService.now())
                _ = try? service.generator.setRate(fromBody: Array(#"{"rps": 0}"#.utf8))
                stop?.close()
                stop = nil
                complete(true)
            }
            stop?.start(after: duration)
        }
        let elapsedNanoseconds = span.all[1] - span.all[0]
        return Int(Double(elapsedNanoseconds) * Double(rps) / 1e9) + 1
    }
}

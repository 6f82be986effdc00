import Testing

@testable import HashrCore

/// The barrier alone: no loop needed, since it only counts and calls.
@Suite struct ShutdownBarrierTests {
    @Test func completionsWaitForEveryPartAndRunOnceInOrder() {
        let barrier = ShutdownBarrier(parts: 2)
        var calls: [String] = []
        barrier.whenDone { calls.append("first") }
        barrier.whenDone { calls.append("second") }
        barrier.partDone()
        #expect(calls.isEmpty)
        #expect(!barrier.isFinished)
        #expect(barrier.remaining == 1)
        barrier.partDone()
        #expect(calls == ["first", "second"])
        #expect(barrier.isFinished)
    }

    @Test func aCompletionAfterTheLastPartRunsAtOnce() {
        let barrier = ShutdownBarrier(parts: 1)
        barrier.partDone()
        var ran = 0
        barrier.whenDone { ran += 1 }
        #expect(ran == 1)
    }

    @Test func zeroPartsIsOpenFromTheStart() {
        let barrier = ShutdownBarrier(parts: 0)
        var ran = false
        barrier.whenDone { ran = true }
        #expect(ran)
        #expect(barrier.isFinished)
    }

    /// A completion that shuts its owner down again (and so asks the barrier once more) hears back
    /// at once, and the completions already collected still run exactly once.
    @Test func aCompletionMayAskAgainFromInsideACompletion() {
        let barrier = ShutdownBarrier(parts: 1)
        var calls: [String] = []
        barrier.whenDone {
            calls.append("outer")
            barrier.whenDone { calls.append("nested") }
        }
        barrier.whenDone { calls.append("second") }
        barrier.partDone()
        #expect(calls == ["outer", "nested", "second"])
    }
}

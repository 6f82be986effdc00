import Testing

@testable import HashrCore

/// The server connection's rules without a socket: every phase against every event.
@Suite struct HTTPServerConnectionStateMachineTests {
    typealias Machine = HTTPServerConnectionStateMachine

    static let keepAlive11 = Machine.RequestFacts(keepAlive: true, version: .http1_1, isHead: false)
    static let close11 = Machine.RequestFacts(keepAlive: false, version: .http1_1, isHead: false)
    static let keepAlive10 = Machine.RequestFacts(keepAlive: true, version: .http1_0, isHead: false)
    static let plain10 = Machine.RequestFacts(keepAlive: false, version: .http1_0, isHead: false)
    static let head11 = Machine.RequestFacts(keepAlive: true, version: .http1_1, isHead: true)

    /// A machine with one request handed to its handler, as that request's sequence number.
    func awaiting(_ facts: Machine.RequestFacts = keepAlive11) -> (Machine, Int) {
        var machine = Machine()
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == .idle) }
        _ = machine.requestHeadReceived(facts, expectsContinue: false)
        let sequence = machine.requestComplete()
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == Machine.TimerMode.none) }
        return (machine, sequence)
    }

    @Test func keepAliveExchangeGoesBackToReadingWithAFreshIdleTimer() {
        var (machine, sequence) = awaiting()
        #expect(machine.phase == .awaitingResponse)
        #expect(machine.isOpen(for: sequence))
        let plan = machine.completeResponse(sequence: sequence, status: 200)
        #expect(plan == Machine.ResponsePlan(keepAlive: true, version: .http1_1, sendsBody: true, chunked: false))
        do { let actual = machine.responseFinished(keepAlive: true); #expect(actual == .readNext) }
        #expect(machine.phase == .reading)
        // The idle timer restarts even though it was idle before the request.
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == .idle) }
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == nil) }
        #expect(!machine.isOpen(for: sequence - 1))
    }

    @Test func timerModesFollowTheInput() {
        var machine = Machine()
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == .idle) }
        // The first byte of a request starts the request timer, and more bytes do not extend it.
        do { let actual = machine.inputProcessed(atBoundary: false); #expect(actual == .request) }
        do { let actual = machine.inputProcessed(atBoundary: false); #expect(actual == nil) }
        _ = machine.requestHeadReceived(Self.keepAlive11, expectsContinue: false)
        _ = machine.requestComplete()
        do { let actual = machine.inputProcessed(atBoundary: false); #expect(actual == Machine.TimerMode.none) }
    }

    @Test func lateOrRepeatedAnswersAreIgnored() {
        var (machine, sequence) = awaiting()
        #expect(machine.completeResponse(sequence: sequence + 1, status: 200) == nil)
        do { let actual = machine.startStream(sequence: sequence - 1); #expect(actual == nil) }
        _ = machine.responseFinished(keepAlive: true)
        #expect(machine.completeResponse(sequence: sequence, status: 200) == nil)
        do { let actual = machine.startStream(sequence: sequence); #expect(actual == nil) }
        do { let actual = machine.endStream(sequence: sequence); #expect(actual == nil) }
        #expect(machine.streamChunk(sequence: sequence) == nil)
    }

    @Test func connectionCloseAndHTTP10DecideKeepAlive() {
        var (closing, one) = awaiting(Self.close11)
        #expect(closing.completeResponse(sequence: one, status: 200)?.keepAlive == false)
        do { let actual = closing.responseFinished(keepAlive: false); #expect(actual == .closeAfterDrain) }
        #expect(closing.phase == .closing)
        #expect(closing.timerMode == .idle)
        #expect(!closing.isOpen(for: one))
        // While draining, input and a half-close change nothing.
        do { let actual = closing.inputProcessed(atBoundary: false); #expect(actual == nil) }
        do { let actual = closing.peerClosed(); #expect(!actual) }
        do { let actual = closing.timerFired(); #expect(actual == .close) }

        let (kept10, two) = awaiting(Self.keepAlive10)
        #expect(kept10.completeResponse(sequence: two, status: 200) == .init(keepAlive: true, version: .http1_0, sendsBody: true, chunked: false))
        let (plain10, three) = awaiting(Self.plain10)
        #expect(plain10.completeResponse(sequence: three, status: 200)?.keepAlive == false)
    }

    @Test func bodilessStatusesAndHEADSendNoBody() {
        for status in [100, 101, 204, 304] {
            let (machine, sequence) = awaiting()
            #expect(machine.completeResponse(sequence: sequence, status: status)?.sendsBody == false)
        }
        let (head, sequence) = awaiting(Self.head11)
        #expect(head.completeResponse(sequence: sequence, status: 200)?.sendsBody == false)
        #expect(Machine.statusHasBody(200) && Machine.statusHasBody(404) && !Machine.statusHasBody(204))
    }

    @Test func continueOnlyForHTTP11() {
        var machine = Machine()
        do { let actual = machine.requestHeadReceived(Self.keepAlive11, expectsContinue: true); #expect(actual) }
        do { let actual = machine.requestHeadReceived(Self.keepAlive11, expectsContinue: false); #expect(!actual) }
        do { let actual = machine.requestHeadReceived(Self.keepAlive10, expectsContinue: true); #expect(!actual) }
    }

    @Test func halfCloseAnswersWhatIsCompleteThenCloses() {
        var (machine, sequence) = awaiting()
        do { let actual = machine.peerClosed(); #expect(!actual) }
        #expect(machine.completeResponse(sequence: sequence, status: 200)?.keepAlive == false)
        var reading = Machine()
        do { let actual = reading.peerClosed(); #expect(actual) }
        var (streaming, streamSequence) = awaiting()
        _ = streaming.startStream(sequence: streamSequence)
        do { let actual = streaming.peerClosed(); #expect(actual) }
    }

    @Test func aBadRequestIsAnsweredByTheServerAndCloses() {
        var machine = Machine()
        _ = machine.inputProcessed(atBoundary: false)
        let sequence = machine.parseFailed()
        #expect(machine.phase == .awaitingResponse)
        let plan = machine.completeResponse(sequence: sequence, status: 400)
        #expect(plan == Machine.ResponsePlan(keepAlive: false, version: .http1_1, sendsBody: true, chunked: false))
        do { let actual = machine.responseFinished(keepAlive: false); #expect(actual == .closeAfterDrain) }

        // After a parsed head (a body over the limit, say) the head's facts still frame the answer.
        var afterHead = Machine()
        _ = afterHead.requestHeadReceived(Self.head11, expectsContinue: false)
        let second = afterHead.parseFailed()
        #expect(afterHead.completeResponse(sequence: second, status: 413)?.sendsBody == false)
    }

    @Test func aSlowRequestGets408AndAnIdleOneIsClosed() {
        var idle = Machine()
        do { let actual = idle.inputProcessed(atBoundary: true); #expect(actual == .idle) }
        do { let actual = idle.timerFired(); #expect(actual == .close) }

        var slow = Machine()
        _ = slow.inputProcessed(atBoundary: false)
        guard case .answerTimeout(let sequence) = slow.timerFired() else {
            Issue.record("expected a 408")
            return
        }
        #expect(slow.timerMode == Machine.TimerMode.none)
        #expect(slow.completeResponse(sequence: sequence, status: 408)?.keepAlive == false)
        do { let actual = slow.responseFinished(keepAlive: false); #expect(actual == .closeAfterDrain) }
        #expect(slow.timerMode == .idle)
    }

    @Test func chunkedStreamKeepsTheConnection() {
        var (machine, sequence) = awaiting()
        let plan = machine.startStream(sequence: sequence)
        #expect(plan == Machine.ResponsePlan(keepAlive: true, version: .http1_1, sendsBody: true, chunked: true))
        #expect(machine.phase == .streaming)
        #expect(machine.streamChunk(sequence: sequence) == plan)
        do { let actual = machine.inputProcessed(atBoundary: false); #expect(actual == nil) }
        let end = machine.endStream(sequence: sequence)
        #expect(end?.keepAlive == true)
        do { let actual = machine.endStream(sequence: sequence); #expect(actual == nil || machine.phase == .streaming) }
        do { let actual = machine.responseFinished(keepAlive: true); #expect(actual == .readNext) }
    }

    @Test func http10StreamEndsWithTheConnection() {
        var (machine, sequence) = awaiting(Self.keepAlive10)
        let plan = machine.startStream(sequence: sequence)
        #expect(plan == Machine.ResponsePlan(keepAlive: false, version: .http1_0, sendsBody: true, chunked: false))
        #expect(machine.closeAfterResponse)
        do { let actual = machine.endStream(sequence: sequence); #expect(actual?.keepAlive == false) }
    }

    @Test func headStreamSendsOnlyItsHead() {
        var (machine, sequence) = awaiting(Self.head11)
        do { let actual = machine.startStream(sequence: sequence); #expect(actual?.sendsBody == false) }
    }

    @Test func shutdownClosesIdleEndsStreamsAndLetsBusyOnesFinish() {
        var idle = Machine()
        do { let actual = idle.beginShutdown(isIdle: true); #expect(actual == .close) }
        var partial = Machine()
        do { let actual = partial.beginShutdown(isIdle: false); #expect(actual == .none) }

        var (busy, sequence) = awaiting()
        do { let actual = busy.beginShutdown(isIdle: false); #expect(actual == .none) }
        #expect(busy.completeResponse(sequence: sequence, status: 200)?.keepAlive == false)

        var (streaming, streamSequence) = awaiting()
        _ = streaming.startStream(sequence: streamSequence)
        do { let actual = streaming.beginShutdown(isIdle: false); #expect(actual == .endStream) }
        do { let actual = streaming.endStream(sequence: streamSequence); #expect(actual?.keepAlive == false) }

        // A stream started during shutdown announces the close in its head.
        var (late, lateSequence) = awaiting()
        _ = late.beginShutdown(isIdle: false)
        do { let actual = late.startStream(sequence: lateSequence); #expect(actual?.keepAlive == false) }
    }

    @Test func closingIsFinalAndHappensOnce() {
        var (machine, sequence) = awaiting()
        do { let actual = machine.closed(); #expect(actual) }
        do { let actual = machine.closed(); #expect(!actual) }
        #expect(machine.isClosed)
        #expect(!machine.isOpen(for: sequence))
        #expect(machine.completeResponse(sequence: sequence, status: 200) == nil)
        do { let actual = machine.peerClosed(); #expect(!actual) }
        do { let actual = machine.inputProcessed(atBoundary: true); #expect(actual == nil) }
        // An answer whose write failed and closed the socket does not reopen it.
        var (failing, failingSequence) = awaiting()
        #expect(failing.completeResponse(sequence: failingSequence, status: 200) != nil)
        _ = failing.closed()
        do { let actual = failing.responseFinished(keepAlive: true); #expect(actual == .alreadyClosed) }
        #expect(failing.phase == .closed)
    }

    @Test func theDrainTimerClosesAfterALastAnswer() {
        var (machine, sequence) = awaiting()
        _ = machine.completeResponse(sequence: sequence, status: 200)
        _ = machine.responseFinished(keepAlive: false)
        do { let actual = machine.timerFired(); #expect(actual == .close) }
        do { let actual = machine.closed(); #expect(actual) }
    }
}

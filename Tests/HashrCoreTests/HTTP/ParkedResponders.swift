@testable import HashrCore

/// Requests a handler holds on to, answered when the test says so: how a test puts a request
/// "in flight" at a moment of its choosing instead of racing a timer.
///
/// Touched only on the loop thread (handlers park, `submit`ted closures answer).
final class ParkedResponders: @unchecked Sendable {
    private var responders: [HTTPResponder] = []

    var count: Int { responders.count }

    func park(_ responder: HTTPResponder) {
        responders.append(responder)
    }

    /// Answers every parked request with `text` after `delay`.
    func answerAll(_ text: String, after delay: Duration, on loop: EventLoop) {
        let waiting = responders
        responders = []
        LoopTimer.once(after: delay, on: loop) {
            for responder in waiting { responder.respond(.text(text)) }
        }
    }
}

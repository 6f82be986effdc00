@testable import HashrCore

extension LoopTimer {
    /// Runs `action` once on the loop after `delay`, then closes the timer. Returns the timer so a
    /// test can close it early (say, when the connection it serves goes away).
    @discardableResult
    static func once(after delay: Duration, on loop: EventLoop, _ action: @escaping () -> Void) -> LoopTimer {
        var timer: LoopTimer?
        timer = LoopTimer(loop: loop) {
            timer?.close()
            timer = nil
            action()
        }
        timer!.start(after: delay)
        return timer!
    }
}

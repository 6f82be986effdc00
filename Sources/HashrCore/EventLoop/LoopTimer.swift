import CLibUV

/// A libuv timer. Loop-confined; lives until `close()` (the handle keeps it alive).
public final class LoopTimer {
    private let loop: EventLoop
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var action: (() -> Void)?
    private var closed = false

    /// Creates a stopped timer that runs `action` on the loop each time it fires.
    public init(loop: EventLoop, action: @escaping () -> Void) {
        loop.assertInEventLoop()
        self.loop = loop
        self.action = action
        handle = HandleMemory.allocate(uv_timer_t.self)
        uv_timer_init(loop.raw, handle)
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Fires once after `delay`, then every `repeating` if it is not zero. Restarts a running timer.
    public func start(after delay: Duration, repeating: Duration = .zero) {
        guard !closed else { return }
        uv_timer_start(handle, { LoopTimer.fired($0) }, delay.milliseconds, repeating.milliseconds)
    }

    public func stop() {
        guard !closed else { return }
        uv_timer_stop(handle)
    }

    /// Does not keep the loop alive (for housekeeping timers).
    public func unref() {
        uv_unref(HandleMemory.asHandle(handle))
    }

    public func close() {
        guard !closed else { return }
        closed = true
        action = nil
        HandleMemory.close(handle)
    }

    private static func fired(_ handle: UnsafeMutablePointer<uv_timer_t>?) {
        HandleMemory.owner(handle!.pointee.data, as: LoopTimer.self).action?()
    }
}

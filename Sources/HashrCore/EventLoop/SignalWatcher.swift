import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Runs an action on the loop when the process receives SIGTERM or SIGINT.
public final class SignalWatcher {
    private var handles: [UnsafeMutablePointer<uv_signal_t>] = []
    private var action: ((Int32) -> Void)?

    public init(loop: EventLoop, signals: [Int32] = [SIGTERM, SIGINT], action: @escaping (Int32) -> Void) throws(UVError) {
        loop.assertInEventLoop()
        self.action = action
        // A parent may hand us these signals blocked (a spawned child inherits the mask), and a
        // blocked SIGTERM would never reach libuv's handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signal in signals {
            let handle = HandleMemory.allocate(uv_signal_t.self)
            uv_signal_init(loop.raw, handle)
            handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
            handles.append(handle)
            try UVError.check(
                uv_signal_start(handle, { handle, number in
                    HandleMemory.owner(handle!.pointee.data, as: SignalWatcher.self).received(number)
                }, signal), "uv_signal_start \(signal)")
        }
    }

    private func received(_ signal: Int32) {
        action?(signal)
    }

    public func close() {
        action = nil
        for handle in handles { HandleMemory.close(handle) }
        handles.removeAll()
    }
}

import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread running one closure: for the event loop of a test or an embedding
/// process, and for the log writer. (Foundation's `Thread` would pull full Foundation into every
/// binary for this alone.)
public enum NativeThread {
    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept, as Linux allows).
    /// Traps when the system refuses a thread: nothing sensible can run without it.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.run()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            fatalError("pthread_create failed: \(String(cString: strerror(status)))")
        }
        pthread_detach(thread)
    }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        func run() {
            _ = hashr_name_this_thread(String(decoding: name.utf8.prefix(15), as: UTF8.self))
            body()
        }
    }
}

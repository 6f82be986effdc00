import CLibUV
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one libuv loop of a process.
///
/// Only `execute(_:)` may be called from any thread (it goes through `uv_async_send`); everything
/// else, and every type that takes a loop, is confined to the thread that runs `run()`.
public final class EventLoop: @unchecked Sendable {
    let raw: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    /// Work for the loop thread, and whether the wakeup handle is gone (then work is dropped).
    private let queue = Mutex<(work: [@Sendable () -> Void], stopped: Bool)>(([], false))
    private let loopThread = Atomic<UInt>(0)
    private var wakeupClosed = false
    /// Asks the process's log sink to write once per iteration (only when a sink is installed).
    private let iterationEnd: UnsafeMutablePointer<uv_prepare_t>?
    private let logSink: LogSink?
    /// Where every stream on this loop reads into; read callbacks consume it before the next read.
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    static let readBufferSize = 64 * 1024

    /// - Parameter logSink: asked to write once per iteration; the process's installed sink by default.
    public init(logSink: LogSink? = LogSink.installed) throws(UVError) {
        // libuv leaves SIGPIPE alone: without this, a write to a peer that has gone kills the
        // process instead of failing with EPIPE.
        signal(SIGPIPE, SIG_IGN)
        raw = .allocate(capacity: 1)
        try UVError.check(uv_loop_init(raw), "uv_loop_init")
        wakeup = .allocate(capacity: 1)
        // The async handle is what `execute` signals; it also keeps `run()` alive until `stop()`.
        try UVError.check(uv_async_init(raw, wakeup) { EventLoop.from($0!.pointee.data).drainQueue() }, "uv_async_init")
        self.logSink = logSink
        iterationEnd = logSink == nil ? nil : .allocate(capacity: 1)
        wakeup.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        if let iterationEnd {
            uv_prepare_init(raw, iterationEnd)
            iterationEnd.pointee.data = Unmanaged.passUnretained(self).toOpaque()
            // Prepare callbacks run just before the loop waits for I/O: after an iteration's work.
            uv_prepare_start(iterationEnd) { EventLoop.from($0!.pointee.data).logSink?.loopIterationEnded() }
            // It must not keep the loop alive on its own.
            iterationEnd.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { uv_unref($0) }
        }
        // Until `run()` is called, the creating thread owns the loop: a service sets itself up
        // on the main thread before running the loop there.
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    deinit {
        iterationEnd?.deallocate()
        readBuffer.deallocate()
        wakeup.deallocate()
        raw.deallocate()
    }

    private static func from(_ data: UnsafeMutableRawPointer?) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(data!).takeUnretainedValue()
    }

    /// Runs the loop on the calling thread until `stop()` and every handle has closed, then closes
    /// the loop. Returns `uv_loop_close`'s result: 0 when nothing leaked.
    @discardableResult
    public func run() -> Int32 {
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
        uv_run(raw, UV_RUN_DEFAULT)
        drainQueue()
        let result = uv_loop_close(raw)
        loopThread.store(0, ordering: .releasing)
        return result
    }

    /// True on the thread running the loop.
    public var inEventLoop: Bool {
        loopThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Traps in debug builds when called off the loop thread.
    @inline(__always)
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inEventLoop, "called off the event loop thread", file: file, line: line)
    }

    /// Runs `work` on the loop thread, soon. Safe from any thread. Work submitted after `stop()` is
    /// dropped (and false returned): the loop is gone.
    @discardableResult
    public func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        // Sending under the lock: once `stop()` has marked the queue stopped, the handle may be
        // closed at any moment, and signalling a closed handle aborts inside libuv.
        queue.withLock { state in
            guard !state.stopped else { return false }
            state.work.append(work)
            uv_async_send(wakeup)
            return true
        }
    }

    private func drainQueue() {
        let work = queue.withLock { state -> [@Sendable () -> Void] in
            let taken = state.work
            state.work.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work { item() }
    }

    /// Lets `run()` return once every other handle has closed. Call on the loop thread.
    public func stop() {
        assertInEventLoop()
        guard !wakeupClosed else { return }
        wakeupClosed = true
        queue.withLock { $0.stopped = true }
        wakeup.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { uv_close($0, nil) }
        iterationEnd?.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { uv_close($0, nil) }
    }

    /// Milliseconds of the loop's cached clock (updated at the start of each iteration).
    public var nowMilliseconds: UInt64 { uv_now(raw) }

    /// A monotonic clock in nanoseconds, read fresh.
    public static func monotonicNanoseconds() -> UInt64 { uv_hrtime() }
}

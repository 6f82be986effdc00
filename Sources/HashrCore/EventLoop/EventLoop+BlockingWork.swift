import CLibUV

extension EventLoop {
    /// Runs `work` on libuv's thread pool and `completion` with its result back on the loop.
    /// For calls that must block (a router's synchronous request, a child process).
    public func runBlocking<Result: Sendable>(
        _ work: @escaping @Sendable () -> Result,
        completion: @escaping (Result) -> Void
    ) {
        assertInEventLoop()
        let slot = ResultSlot<Result>()
        let box = BlockingWork(work: { slot.value = work() }, completion: { completion(slot.value!) })
        let request = UnsafeMutablePointer<uv_work_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(box).toOpaque()
        let code = uv_queue_work(raw, request, { request in
            HandleMemory.owner(request!.pointee.data, as: BlockingWork.self).work()
        }, { request, _ in
            let box = Unmanaged<BlockingWork>.fromOpaque(request!.pointee.data!).takeRetainedValue()
            request!.deallocate()
            box.completion()
        })
        if code < 0 {
            // The pool refused the work; run it here rather than lose it.
            Unmanaged<BlockingWork>.fromOpaque(request.pointee.data!).release()
            request.deallocate()
            completion(work())
        }
    }
}

/// One piece of blocking work in flight. `work` runs on a pool thread, `completion` on the loop
/// after libuv's after-work callback, which orders the two.
private final class BlockingWork: @unchecked Sendable {
    let work: () -> Void
    let completion: () -> Void

    init(work: @escaping () -> Void, completion: @escaping () -> Void) {
        self.work = work
        self.completion = completion
    }
}

private final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?
}

import CHiredis
import CLibUV

/// Our hiredis event adapter: the `redisAsyncContext.ev` hooks on a libuv poll handle.
///
/// Debian's hiredis 0.14.1 ships `adapters/libuv.h`, but its poll callback returns early on an error
/// status, so a refused connect is never reported and the context hangs. Here an error status is
/// handed to hiredis as the events it was waiting for (hiredis 1.0's fix): its connect check, read
/// or write then fails, and it reports the error and frees the context itself.
///
/// Writes, once connected, do not wait for the socket to be reported writable: hiredis asks for a
/// write with each command, and the commands of one loop iteration are written together when it
/// ends (a prepare handle), straight away; only a socket too full to take them all is watched for
/// room. Watching for room first would cost two `epoll_ctl` calls (add, then remove, the writable
/// event) and a loop iteration per batch of commands: a third of a system call per PUBLISH of a
/// busy worker.
extension RedisSocket {
    private static let readable = Int32(UV_READABLE.rawValue)
    private static let writable = Int32(UV_WRITABLE.rawValue)

    /// Installs the hooks, then the connect callback (which asks for the first write event, so the
    /// hooks must be in place first).
    func attach() {
        guard let context else { return }
        poll.pointee.data = Unmanaged.passRetained(self).toOpaque()
        iterationEnd.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let unretained = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.data = unretained
        context.pointee.ev.data = unretained
        context.pointee.ev.addRead = { RedisSocket.from($0).watch(RedisSocket.readable, true) }
        context.pointee.ev.delRead = { RedisSocket.from($0).watch(RedisSocket.readable, false) }
        context.pointee.ev.addWrite = { RedisSocket.from($0).watch(RedisSocket.writable, true) }
        context.pointee.ev.delWrite = { RedisSocket.from($0).watch(RedisSocket.writable, false) }
        context.pointee.ev.cleanup = { RedisSocket.from($0).contextFreed() }
        // No disconnect callback: hiredis calls it only for contexts that did connect, after cleanup.
        // The cleanup hook (or the first failed command before it) is the one signal for every end.
        redisAsyncSetConnectCallback(context) { context, status in
            RedisSocket.from(context!.pointee.data).connectFinished(status == REDIS_OK)
        }
    }

    private func watch(_ event: Int32, _ wanted: Bool) {
        // A socket already watched for room is written when it has some, not tried again before.
        if event == RedisSocket.writable && wanted && established && !writingAtIterationEnd
            && watched & RedisSocket.writable == 0
        {
            return writeAtIterationEnd()
        }
        let events = wanted ? watched | event : watched & ~event
        // hiredis asks for reads after every read: skip the system call when nothing changes.
        guard events != watched, context != nil else { return }
        watched = events
        if events == 0 {
            uv_poll_stop(poll)
        } else {
            uv_poll_start(poll, events) { poll, status, events in
                HandleMemory.owner(poll!.pointee.data, as: RedisSocket.self).pollFired(status: status, events: events)
            }
        }
    }

    private func writeAtIterationEnd() {
        guard !writeScheduled, context != nil else { return }
        writeScheduled = true
        uv_prepare_start(iterationEnd) { handle in
            HandleMemory.owner(handle!.pointee.data, as: RedisSocket.self).iterationEnded()
        }
    }

    private func iterationEnded() {
        uv_prepare_stop(iterationEnd)
        writeScheduled = false
        guard let context else { return }
        writingAtIterationEnd = true
        // Writes what it can; asks for a write again (now a watch for room) if the socket was full.
        callHiredis { redisAsyncHandleWrite(context) }
        writingAtIterationEnd = false
    }

    private func pollFired(status: Int32, events: Int32) {
        var ready = events
        let asked = watched
        if status < 0 {
            // libuv stopped the handle and reports no events (ECONNREFUSED, ECONNRESET arrive as
            // POLLERR). Give hiredis the events it asked for so it finds the error itself.
            ready = asked
            watched = 0
        }
        callHiredis {
            // Either call may free the context (cleanup sets it to nil), so look again before each.
            if ready & RedisSocket.readable != 0, let context { redisAsyncHandleRead(context) }
            if ready & RedisSocket.writable != 0, let context { redisAsyncHandleWrite(context) }
        }
        if status < 0, context != nil, watched == 0, asked != 0 {
            // hiredis is alive and asked for nothing new: keep waiting for what it wanted.
            watch(asked, true)
        }
    }

    private func connectFinished(_ succeeded: Bool) {
        // A failure is reported by the free that follows at once; see `reason(for:)`.
        guard succeeded, let context else { return }
        established = true
        // Without keepalive a silently vanished Redis host would leave a subscriber waiting forever.
        redisEnableKeepAlive(UnsafeMutableRawPointer(context).assumingMemoryBound(to: redisContext.self))
    }
}

import CHiredis
import CLibUV

/// One hiredis async connection, driven by our loop through a `uv_poll_t` on its socket and, once
/// connected, a `uv_prepare_t` that writes an iteration's commands at its end (the event hooks are
/// in `RedisSocket+EventHooks.swift`). Loop-confined.
///
/// Single use: it connects once, and when hiredis tears the context down (a refused or failed
/// connect, a lost connection, or `abort`) it reports `onEnd` exactly once and is finished;
/// `RedisConnection` makes a new one for the next attempt.
///
/// Ownership: the poll and prepare handles' `data` each hold a strong reference; hiredis's `ac->data` and
/// `ev.data` point at `self` unretained. hiredis calls the cleanup hook from inside its free, before
/// its last uses of the context (the disconnect callback, `redisFree`); the handles' close callbacks,
/// which release `self`, run on a later loop turn, so every pointer hiredis holds to `self` stays
/// valid for as long as hiredis can use it. After cleanup the context is never touched again.
final class RedisSocket {
    typealias Completion = (Result<RedisReply, RedisError>) -> Void

    let loop: EventLoop
    /// Nil once hiredis has started freeing it (the cleanup hook ran).
    var context: UnsafeMutablePointer<redisAsyncContext>?
    let poll: UnsafeMutablePointer<uv_poll_t>
    /// The `uv_poll_event` flags the poll is started with; 0 when stopped.
    var watched: Int32 = 0
    /// Runs the write of the commands queued during an iteration when the iteration ends.
    let iterationEnd: UnsafeMutablePointer<uv_prepare_t>
    /// `iterationEnd` is started.
    var writeScheduled = false
    /// Inside the iteration-end write: hiredis asking for a write now means the socket was full.
    var writingAtIterationEnd = false

    /// Replies still expected for commands sent with `send`.
    private(set) var pending = 0
    /// Loop time (ms) of the last reply, or of the first command sent after an idle spell.
    private(set) var lastProgress: UInt64 = 0

    /// Called once when the connection is over, before any pending command fails.
    var onEnd: ((RedisError) -> Void)?
    /// Called with each reply to a subscription: confirmations and messages.
    var onPush: ((RedisReply) -> Void)?

    /// hiredis's connect callback reported success: failures from here on are "lost", not "failed".
    var established = false
    private var ended = false
    private var endReason = RedisError.clientClosed
    private var abortReason: RedisError?
    private var hiredisDepth = 0
    private var freeRequested = false

    /// Starts a non-blocking connect to a numeric address. (hiredis runs getaddrinfo on it, which
    /// answers a numeric address without DNS; host names are resolved beforehand, off the loop.)
    static func connect(loop: EventLoop, address: String, port: Int) -> Result<RedisSocket, RedisError> {
        loop.assertInEventLoop()
        guard let context = redisAsyncConnect(address, Int32(port)) else {
            return .failure(.connectFailed("out of memory"))
        }
        if context.pointee.c.err != 0 {
            let reason = errorText(context)
            redisAsyncFree(context)  // no hooks attached yet: frees at once and calls nothing of ours
            return .failure(.connectFailed(reason))
        }
        let poll = HandleMemory.allocate(uv_poll_t.self)
        let code = uv_poll_init(loop.raw, poll, context.pointee.c.fd)
        if code < 0 {
            poll.deallocate()  // a failed init leaves libuv unaware of the handle
            redisAsyncFree(context)
            return .failure(.connectFailed(UVError(code: code, operation: "uv_poll_init").description))
        }
        let iterationEnd = HandleMemory.allocate(uv_prepare_t.self)
        uv_prepare_init(loop.raw, iterationEnd)  // cannot fail: it only links the handle into the loop
        let socket = RedisSocket(loop: loop, context: context, poll: poll, iterationEnd: iterationEnd)
        socket.attach()
        return .success(socket)
    }

    private init(
        loop: EventLoop, context: UnsafeMutablePointer<redisAsyncContext>, poll: UnsafeMutablePointer<uv_poll_t>,
        iterationEnd: UnsafeMutablePointer<uv_prepare_t>
    ) {
        self.loop = loop
        self.context = context
        self.poll = poll
        self.iterationEnd = iterationEnd
    }

    static func from(_ pointer: UnsafeRawPointer?) -> RedisSocket {
        Unmanaged<RedisSocket>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Still connecting or connected, and not being torn down.
    var isUsable: Bool { context != nil && !ended && abortReason == nil }

    /// Queues a command behind those already sent (pipelining). Returns false, without keeping
    /// `completion`, when this connection takes no more commands; otherwise `completion` runs exactly
    /// once, with the reply or with the reason the connection ended.
    func send<Argument: Collection<UInt8>>(_ arguments: [Argument], completion: @escaping Completion) -> Bool {
        guard !arguments.isEmpty else { return false }
        return enqueue(.reply(completion)) { context, replied, box in
            Self.withArgv(arguments) { count, argv, lengths in
                redisAsyncCommandArgv(context, replied, box, count, argv, lengths)
            }
        }
    }

    /// `send` for a command already in the wire format (see `RedisCommandEncoder`); hiredis
    /// copies the bytes into its output buffer before this returns.
    func send(formatted command: UnsafeRawBufferPointer, handler: RedisReplyHandler) -> Bool {
        guard command.count > 0 else { return false }
        return enqueue(handler) { context, replied, box in
            redisAsyncFormattedCommand(
                context, replied, box, command.baseAddress!.assumingMemoryBound(to: CChar.self), command.count)
        }
    }

    /// Issues a command through `issue` with the reply callback and the handler's box.
    private func enqueue(
        _ handler: RedisReplyHandler,
        _ issue: (UnsafeMutablePointer<redisAsyncContext>, ReplyCallback, UnsafeMutableRawPointer) -> Int32
    ) -> Bool {
        guard isUsable, let context else { return false }
        let box = Unmanaged.passRetained(CommandBox(handler)).toOpaque()
        let replied: ReplyCallback = { RedisSocket.from($0!.pointee.data).replied($1, box: $2) }
        let status = issue(context, replied, box)
        guard status == REDIS_OK else {
            Unmanaged<CommandBox>.fromOpaque(box).release()
            return false
        }
        if pending == 0 { lastProgress = loop.nowMilliseconds }
        pending += 1
        return true
    }

    /// Sends SUBSCRIBE; confirmations and messages arrive through `onPush`. hiredis keeps one
    /// callback per channel and calls it for every message, so its private data is `self`
    /// (unretained, valid as argued above), not a one-shot box.
    func subscribe(_ channels: [String]) -> Bool {
        guard isUsable, let context, !channels.isEmpty else { return false }
        let arguments = [Array("SUBSCRIBE".utf8)] + channels.map { Array($0.utf8) }
        let status = Self.withArgv(arguments) { count, argv, lengths in
            let unretained = Unmanaged.passUnretained(self).toOpaque()
            let pushed: ReplyCallback = { context, reply, _ in RedisSocket.from(context!.pointee.data).pushed(reply) }
            return redisAsyncCommandArgv(context, pushed, unretained, count, argv, lengths)
        }
        return status == REDIS_OK
    }

    /// Drops the connection: pending commands fail with `reason`, `onEnd` reports it. Safe from any
    /// callback, including those hiredis makes.
    func abort(_ reason: RedisError) {
        guard context != nil else { return }
        if abortReason == nil && !ended { abortReason = reason }
        freeRequested = true
        if hiredisDepth == 0 { callHiredis {} }
    }

    /// Runs a call into hiredis that may call back into us. hiredis must not be freed from inside
    /// its own calls (its connect callback and event hooks do not guard against it), so a free asked
    /// for meanwhile happens once the outermost call has returned.
    func callHiredis(_ body: () -> Void) {
        hiredisDepth += 1
        body()
        hiredisDepth -= 1
        guard hiredisDepth == 0 else { return }
        while freeRequested, let context {
            freeRequested = false
            hiredisDepth += 1
            redisAsyncFree(context)
            hiredisDepth -= 1
        }
        freeRequested = false
    }

    private func replied(_ reply: UnsafeMutableRawPointer?, box: UnsafeMutableRawPointer?) {
        let completion = Unmanaged<CommandBox>.fromOpaque(box!).takeRetainedValue().handler
        pending -= 1
        guard let reply else {
            // hiredis is freeing the context and fails what is pending, one NULL reply each.
            contextEnding()
            return completion(.failure(endReason))
        }
        lastProgress = loop.nowMilliseconds
        if let abortReason {
            // Aborted from a callback while hiredis still hands out replies it had already read:
            // after close() nothing succeeds any more.
            return completion(.failure(abortReason))
        }
        let value = RedisReply(reply.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = value {
            completion(.failure(.errorReply(message)))
        } else {
            completion(.success(value))
        }
    }

    private func pushed(_ reply: UnsafeMutableRawPointer?) {
        guard let reply else { return contextEnding() }
        guard abortReason == nil else { return }
        lastProgress = loop.nowMilliseconds
        onPush?(RedisReply(reply.assumingMemoryBound(to: redisReply.self)))
    }

    /// The first sign that hiredis is freeing the context: report the end before failing commands,
    /// so their completions already see the owner disconnected.
    private func contextEnding() {
        guard !ended, let context else { return }
        report(reason(for: context))
    }

    /// hiredis's cleanup hook: the context is being freed and must not be touched after this.
    func contextFreed() {
        guard let context else { return }
        let reason = ended ? nil : reason(for: context)
        self.context = nil
        watched = 0
        writeScheduled = false
        HandleMemory.close(poll)
        HandleMemory.close(iterationEnd)
        if let reason { report(reason) }
    }

    private func report(_ reason: RedisError) {
        ended = true
        endReason = reason
        let onEnd = self.onEnd
        self.onEnd = nil
        onPush = nil
        onEnd?(reason)
    }

    private func reason(for context: UnsafeMutablePointer<redisAsyncContext>) -> RedisError {
        if let abortReason { return abortReason }
        let message = context.pointee.c.err != 0 ? Self.errorText(context) : "connection closed"
        return established ? .connectionLost(message) : .connectFailed(message)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisAsyncContext>) -> String {
        withUnsafeBytes(of: context.pointee.c.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Lays the arguments out for `redisAsyncCommandArgv` (Swift cannot call hiredis's variadic
    /// functions), in temporary memory: hiredis copies them into its output buffer at once.
    private static func withArgv<Argument: Collection<UInt8>>(
        _ arguments: [Argument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Int32
    ) -> Int32 {
        let total = arguments.reduce(0) { $0 + $1.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { pointers in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: arguments.count) { lengths in
                    var offset = 0
                    for (index, argument) in arguments.enumerated() {
                        let start = bytes.baseAddress! + offset
                        let count = UnsafeMutableBufferPointer(start: start, count: argument.count)
                            .initialize(fromContentsOf: argument)
                        pointers[index] = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
                        lengths[index] = count
                        offset += count
                    }
                    return body(Int32(arguments.count), pointers.baseAddress!, UnsafePointer(lengths.baseAddress!))
                }
            }
        }
    }
}

/// hiredis's `redisCallbackFn`, as the C function pointer that `redisAsyncCommandArgv` takes.
private typealias ReplyCallback =
    @convention(c) (
        UnsafeMutablePointer<redisAsyncContext>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> Void

/// One command's reply handler, retained across the C call and taken back in its reply callback.
private final class CommandBox {
    let handler: RedisReplyHandler

    init(_ handler: RedisReplyHandler) {
        self.handler = handler
    }
}

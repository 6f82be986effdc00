import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where every log line of a process goes: a bounded buffer in memory, written to a file
/// descriptor (standard output) by a thread of its own.
///
/// Lines are encoded straight into the buffer under a lock, whole, so two lines never interleave.
/// The event loop asks for a write once per iteration (`loopIterationEnded`), so a busy server
/// writes one batch per iteration instead of one `write()` per line; a writer that has not been
/// asked still writes within `lingerMilliseconds`. After a write the writer waits
/// `writeGapMilliseconds` before the next one, so a server whose iterations are short (tens of
/// thousands a second under load) wakes it, and writes, at most once per gap rather than once per
/// iteration; a buffer half full, a flush or a close cut the gap short. The loop never waits for the file
/// descriptor: when it is slow (a full pipe to a container runtime), the buffer fills to
/// `capacity`, further lines are dropped and counted (`log_lines_dropped_total`), and the next
/// line that fits is preceded by one saying how many were lost.
public final class LogSink: @unchecked Sendable {
    /// The sink `LogSetup.bootstrap` installed for the process, if any.
    public static var installed: LogSink? { installedSink.withLock { $0 } }
    private static let installedSink = Mutex<LogSink?>(nil)

    public let capacity: Int
    /// How long a line may wait for a write when no loop asks for one (lines logged off the loop).
    private let lingerMilliseconds: Int
    /// The least time between the end of one write and the start of the next (unless cut short).
    private let writeGapMilliseconds: Int
    private let fileDescriptor: Int32
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled to wake the writer.
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Broadcast by the writer after each batch, for `flush`.
    private let wrote = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    // Guarded by `mutex`.
    private var encoder: LogLineEncoder
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private var droppedSinceNotice = 0
    /// Waiting for lines: a loop's iteration with lines waiting wakes it.
    private var writerIsWaiting = false
    /// Waiting out the gap after a write: only a half-full buffer, a flush or a close wake it.
    private var writerIsPacing = false
    private var flushesWaiting = 0
    private var writerIsWriting = false
    private var stopping = false
    private var writerExited = false

    /// Lets the loop skip the lock on an iteration that logged nothing.
    private let hasPending = Atomic<Bool>(false)
    private let droppedTotal = Atomic<Int>(0)

    /// A sink writing to `fileDescriptor` (not closed by the sink), keeping at most `capacity`
    /// bytes waiting. Starts its writer thread at once.
    public init(
        fileDescriptor: Int32 = STDOUT_FILENO, format: LogFormat, capacity: Int = 1 << 20, lingerMilliseconds: Int = 100,
        writeGapMilliseconds: Int = 5
    ) {
        self.fileDescriptor = fileDescriptor
        self.capacity = capacity
        self.lingerMilliseconds = lingerMilliseconds
        self.writeGapMilliseconds = writeGapMilliseconds
        encoder = LogLineEncoder(format: format)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_cond_init(wrote, &attributes)
        pthread_condattr_destroy(&attributes)
        NativeThread.start(name: "log-writer") { [self] in runWriter() }
    }

    /// Makes `sink` the process's sink: event loops created from now on ask it to write once per
    /// iteration, and `ServiceMetrics` exports its drop count.
    public static func install(_ sink: LogSink) {
        installedSink.withLock { $0 = sink }
    }

    /// Lines dropped since the start because the buffer was full or the write failed.
    public var droppedLineCount: Int { droppedTotal.load(ordering: .relaxed) }

    // MARK: Appending (any thread)

    func append(
        level: Logger.Level, label: String, source: String, message: String, metadata: Logger.Metadata?
    ) {
        append { encoder, line in
            encoder.encode(level: level, label: label, source: source, message: message, metadata: metadata, into: &line)
        }
    }

    /// Written out rather than through `append(_:)`: its closure would copy the record, for every request.
    func append(access record: AccessRecord, label: String) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard noticeDroppedLines() else { return }
        let before = pending.count
        encoder.encode(access: record, label: label, into: &pending)
        lineAppended(since: before)
    }

    private func append(_ encode: (inout LogLineEncoder, inout [UInt8]) -> Void) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard noticeDroppedLines() else { return }
        let before = pending.count
        encode(&encoder, &pending)
        lineAppended(since: before)
    }

    /// Under the lock: says how many lines were dropped, if any were since the last notice.
    /// Returns false when even that did not fit (the line to come is dropped too).
    private func noticeDroppedLines() -> Bool {
        if droppedSinceNotice > 0 {
            let before = pending.count
            let lost = droppedSinceNotice
            encoder.encode(
                level: .warning, label: "log", source: "HashrCore",
                message: "\(lost) log line(s) dropped: the log output did not keep up", metadata: nil,
                into: &pending)
            guard pending.count <= capacity else {
                pending.removeSubrange(before...)
                countDrop()
                return false
            }
            pendingLines += 1
            droppedSinceNotice = 0
        }
        return true
    }

    /// Under the lock: keeps the line appended after `before` if it fits, else drops it.
    private func lineAppended(since before: Int) {
        guard pending.count <= capacity else {
            pending.removeSubrange(before...)
            countDrop()
            return
        }
        pendingLines += 1
        hasPending.store(true, ordering: .relaxed)
        // A buffer filling up is written now rather than at the end of the loop's iteration.
        if (writerIsWaiting || writerIsPacing) && pending.count >= capacity / 2 { pthread_cond_signal(wake) }
    }

    private func countDrop() {
        droppedSinceNotice += 1
        droppedTotal.add(1, ordering: .relaxed)
    }

    // MARK: Asking for writes

    /// Called by an event loop once per iteration: wakes the writer if anything is waiting.
    public func loopIterationEnded() {
        guard hasPending.load(ordering: .relaxed) else { return }
        pthread_mutex_lock(mutex)
        if writerIsWaiting && !pending.isEmpty { pthread_cond_signal(wake) }
        pthread_mutex_unlock(mutex)
    }

    /// Waits until everything appended so far is written, or `timeoutMilliseconds` passed (a stalled
    /// output must not keep a process from exiting). Returns whether everything was written.
    @discardableResult
    public func flush(timeoutMilliseconds: Int = 2000) -> Bool {
        let deadline = Self.deadline(afterMilliseconds: timeoutMilliseconds)
        pthread_mutex_lock(mutex)
        flushesWaiting += 1
        defer {
            flushesWaiting -= 1
            pthread_mutex_unlock(mutex)
        }
        while !pending.isEmpty || writerIsWriting {
            pthread_cond_signal(wake)
            var until = deadline
            if pthread_cond_timedwait(wrote, mutex, &until) == ETIMEDOUT { return false }
        }
        return true
    }

    /// Writes what is waiting, then ends the writer thread and waits (at most `timeoutMilliseconds`)
    /// for it to be gone, so the caller may close the file descriptor. Lines appended later are
    /// never written. For sinks with a shorter life than the process (tests).
    public func close(timeoutMilliseconds: Int = 2000) {
        let deadline = Self.deadline(afterMilliseconds: timeoutMilliseconds)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        stopping = true
        pthread_cond_signal(wake)
        while !writerExited {
            var until = deadline
            if pthread_cond_timedwait(wrote, mutex, &until) == ETIMEDOUT { return }
        }
    }

    // MARK: The writer thread

    private func runWriter() {
        var batch: [UInt8] = []
        pthread_mutex_lock(mutex)
        while true {
            while pending.isEmpty {
                if stopping {
                    writerExited = true
                    pthread_cond_broadcast(wrote)
                    pthread_mutex_unlock(mutex)
                    return
                }
                writerIsWaiting = true
                var until = Self.deadline(afterMilliseconds: lingerMilliseconds)
                pthread_cond_timedwait(wake, mutex, &until)
                writerIsWaiting = false
            }
            swap(&batch, &pending)
            let lines = pendingLines
            pendingLines = 0
            hasPending.store(false, ordering: .relaxed)
            writerIsWriting = true
            pthread_mutex_unlock(mutex)

            let written = Self.writeAll(batch, to: fileDescriptor)
            // A burst may have grown the batch; do not keep a large buffer for the rest of the run.
            if batch.capacity > 256 * 1024 { batch = [] } else { batch.removeAll(keepingCapacity: true) }

            pthread_mutex_lock(mutex)
            writerIsWriting = false
            if !written {
                droppedSinceNotice += lines
                droppedTotal.add(lines, ordering: .relaxed)
            }
            pthread_cond_broadcast(wrote)
            waitOutWriteGap()
        }
    }

    /// Under the lock, after a write: lets the lines of the next `writeGapMilliseconds` gather for
    /// one write, unless the buffer is half full or someone flushes or closes the sink.
    private func waitOutWriteGap() {
        guard writeGapMilliseconds > 0 else { return }
        var until = Self.deadline(afterMilliseconds: writeGapMilliseconds)
        writerIsPacing = true
        // A flush waiting for lines still pending ends the gap; one whose lines were all written returns.
        while !stopping && !(flushesWaiting > 0 && !pending.isEmpty) && pending.count < capacity / 2 {
            if pthread_cond_timedwait(wake, mutex, &until) == ETIMEDOUT { break }
        }
        writerIsPacing = false
    }

    /// Writes all of `bytes`, waiting while the descriptor is full. False if it failed for good.
    private static func writeAll(_ bytes: [UInt8], to fileDescriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count >= 0 {
                    offset += count
                    continue
                }
                switch errno {
                case EINTR: continue
                case EAGAIN:
                    // A descriptor someone made non-blocking: wait for room rather than spin.
                    var poller = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, 1000)
                default: return false
                }
            }
            return true
        }
    }

    private static func deadline(afterMilliseconds milliseconds: Int) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = Int(now.tv_nsec) + (milliseconds % 1000) * 1_000_000
        return timespec(
            tv_sec: now.tv_sec + milliseconds / 1000 + nanoseconds / 1_000_000_000,
            tv_nsec: nanoseconds % 1_000_000_000)
    }
}

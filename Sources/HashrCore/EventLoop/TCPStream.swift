import CLibUV

/// One TCP connection on the loop: reads into the loop's shared buffer and hands the bytes on,
/// writes with `uv_try_write` first and queues only what the kernel did not take.
///
/// Loop-confined. The handle keeps this object alive until libuv's close callback has run.
final class TCPStream {
    let loop: EventLoop
    let handle: UnsafeMutablePointer<uv_tcp_t>
    private(set) var isClosing = false
    private var isReading = false

    /// Bytes received; valid only during the call.
    var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer closed (`UV_EOF`) or the connection failed.
    var onReadError: ((UVError) -> Void)?
    /// A queued write failed: the peer is gone.
    var onWriteError: ((UVError) -> Void)?
    /// The handle is closed and its memory about to be freed.
    var onClosed: (() -> Void)?
    /// A listening stream has a connection to accept (status 0) or failed.
    var onAccept: ((Int32) -> Void)?

    init(loop: EventLoop) throws(UVError) {
        loop.assertInEventLoop()
        self.loop = loop
        handle = HandleMemory.allocate(uv_tcp_t.self)
        let code = uv_tcp_init(loop.raw, handle)
        guard code == 0 else {
            handle.deallocate()
            throw UVError(code: code, operation: "uv_tcp_init")
        }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { HandleMemory.asStream(handle) }

    /// The peer's numeric address (`127.0.0.1`, `::1`), or `-` when the socket has none.
    var peerHost: String {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                guard uv_tcp_getpeername(handle, address, &length) == 0 else { return "-" }
                return SocketAddress(address, length: Int(length))?.host ?? "-"
            }
        }
    }

    /// Disables Nagle: requests and responses here are small and latency matters more than packets.
    func setNoDelay() {
        uv_tcp_nodelay(handle, 1)
    }

    /// Caps the kernel's send buffer (Linux doubles the value for its bookkeeping), which otherwise
    /// grows by itself to megabytes for a peer that stops reading.
    func setSendBufferSize(_ bytes: Int) {
        var value = Int32(clamping: bytes)
        uv_send_buffer_size(HandleMemory.asHandle(handle), &value)
    }

    /// The kernel's send buffer as it reports it (0 when there is no socket).
    var sendBufferSize: Int {
        var value: Int32 = 0
        guard uv_send_buffer_size(HandleMemory.asHandle(handle), &value) == 0 else { return 0 }
        return Int(value)
    }

    func startReading() {
        guard !isReading, !isClosing else { return }
        isReading = true
        uv_read_start(stream, { handle, _, buffer in
            let owner = HandleMemory.owner(handle!.pointee.data, as: TCPStream.self)
            buffer!.pointee = uv_buf_init(owner.loop.readBuffer.assumingMemoryBound(to: CChar.self), UInt32(EventLoop.readBufferSize))
        }, { stream, count, _ in
            HandleMemory.owner(stream!.pointee.data, as: TCPStream.self).didRead(count)
        })
    }

    func stopReading() {
        guard isReading, !isClosing else { return }
        isReading = false
        uv_read_stop(stream)
    }

    private func didRead(_ count: Int) {
        if count > 0 {
            onRead?(UnsafeRawBufferPointer(start: loop.readBuffer, count: count))
        } else if count < 0 {
            stopReading()
            onReadError?(UVError(code: Int32(count), operation: "read"))
        }
    }

    /// Bytes handed to libuv but not yet written to the socket.
    var queuedBytes: Int { isClosing ? 0 : uv_stream_get_write_queue_size(stream) }

    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosing, bytes.count > 0 else { return }
        var offset = 0
        if uv_stream_get_write_queue_size(stream) == 0 {
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
            let written = uv_try_write(stream, &buffer, 1)
            if written == Int32(bytes.count) { return }
            if written > 0 { offset = Int(written) }
        }
        queueWrite(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }

    /// Copies the bytes next to their `uv_write_t` in one allocation, freed by the write callback.
    private func queueWrite(_ bytes: UnsafeRawBufferPointer) {
        let requestSize = (MemoryLayout<uv_write_t>.size + 15) & ~15
        let block = UnsafeMutableRawPointer.allocate(byteCount: requestSize + bytes.count, alignment: 16)
        let request = block.bindMemory(to: uv_write_t.self, capacity: 1)
        let payload = block + requestSize
        payload.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        var buffer = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let code = uv_write(request, stream, &buffer, 1) { request, status in
            let stream = request!.pointee.handle!
            UnsafeMutableRawPointer(request!).deallocate()
            if status < 0 && status != UV_ECANCELED.rawValue {
                HandleMemory.owner(stream.pointee.data, as: TCPStream.self).writeFailed(status)
            }
        }
        if code < 0 {
            block.deallocate()
            writeFailed(code)
        }
    }

    private func writeFailed(_ status: Int32) {
        onWriteError?(UVError(code: status, operation: "write"))
    }

    /// Waits for queued writes to reach the socket, then closes it.
    func shutdownThenClose() {
        guard !isClosing else { return }
        let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        let code = uv_shutdown(request, stream) { request, _ in
            let stream = request!.pointee.handle!
            request!.deallocate()
            HandleMemory.owner(stream.pointee.data, as: TCPStream.self).close()
        }
        if code < 0 {
            request.deallocate()
            close()
        }
    }

    /// Closes now; queued writes are dropped. The kernel still sends what it already holds, then FIN.
    func close() {
        guard beginClosing() else { return }
        uv_close(HandleMemory.asHandle(handle), TCPStream.didClose)
    }

    /// Closes now with a TCP reset: the kernel drops what it still holds for a peer that stopped
    /// reading (megabytes, for a stalled stream) and the peer learns at once instead of after its
    /// backlog. Falls back to `close()` when libuv refuses (a shutdown is already under way).
    func closeWithReset() {
        guard !isClosing else { return }
        let code = uv_tcp_close_reset(handle, TCPStream.didClose)
        if code < 0 { return close() }
        _ = beginClosing()
    }

    private func beginClosing() -> Bool {
        guard !isClosing else { return false }
        isClosing = true
        onRead = nil
        onReadError = nil
        onWriteError = nil
        onAccept = nil
        return true
    }

    private static let didClose: uv_close_cb = { handle in
        let owner = Unmanaged<TCPStream>.fromOpaque(handle!.pointee.data!)
        let stream = owner.takeUnretainedValue()
        let closed = stream.onClosed
        stream.onClosed = nil
        UnsafeMutableRawPointer(handle!).deallocate()
        owner.release()
        closed?()
    }
}

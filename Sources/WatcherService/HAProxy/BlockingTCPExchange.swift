import HashrCore

#if canImport(Glibc)
    import Glibc
#endif

/// One request/answer exchange over TCP that blocks the calling thread: connect, send the request,
/// read until the peer closes. Enough for HAProxy's non-interactive runtime API, where each
/// connection carries one command. Every step shares one deadline, so a silent peer cannot hang it.
public struct BlockingTCPExchange: Sendable {
    public let host: String
    public let port: Int
    public let timeout: Duration
    /// Answers beyond this are cut off with an error rather than filling memory.
    public let maximumReplyBytes: Int

    /// An exchange with `host:port`; `timeout` bounds connecting, sending and reading together.
    public init(host: String, port: Int, timeout: Duration, maximumReplyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maximumReplyBytes = maximumReplyBytes
    }

    /// Sends `request` and returns everything the peer sent before closing.
    public func exchange(_ request: String) throws(RouterError) -> String {
        let deadline = ContinuousClock.now + timeout
        let socket = try connect(deadline: deadline)
        defer { close(socket) }
        var pending = Array(request.utf8)[...]
        while !pending.isEmpty {
            try wait(socket, for: Int16(POLLOUT), until: deadline, doing: "sending to")
            let sent = pending.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw failure("sending to", errno)
            }
            pending = pending.dropFirst(sent)
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            try wait(socket, for: Int16(POLLIN), until: deadline, doing: "reading from")
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw failure("reading from", errno)
            }
            reply.append(contentsOf: buffer[0..<count])
            guard reply.count <= maximumReplyBytes else {
                throw RouterError("\(host):\(port) answered more than \(maximumReplyBytes) bytes")
            }
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// A connected non-blocking socket, trying each address the host resolves to.
    private func connect(deadline: ContinuousClock.Instant) throws(RouterError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw RouterError("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = RouterError("no address for \(host)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry?.pointee {
            entry = info.ai_next
            let socket = Glibc.socket(
                info.ai_family, info.ai_socktype | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
                info.ai_protocol)
            guard socket >= 0 else {
                lastError = failure("creating a socket for", errno)
                continue
            }
            if Glibc.connect(socket, info.ai_addr, info.ai_addrlen) == 0 || errno == EINPROGRESS {
                do {
                    try wait(socket, for: Int16(POLLOUT), until: deadline, doing: "connecting to")
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return socket }
                    lastError = failure("connecting to", error)
                } catch {
                    lastError = error
                }
            } else {
                lastError = failure("connecting to", errno)
            }
            close(socket)
        }
        throw lastError
    }

    private func wait(_ socket: Int32, for events: Int16, until deadline: ContinuousClock.Instant, doing action: String)
        throws(RouterError)
    {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = Int32(clamping: left.wholeMilliseconds)
            guard milliseconds > 0 else {
                throw RouterError("timed out \(action) \(host):\(port) after \(timeout.shortText)")
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw failure(action, errno) }
        }
    }

    private func failure(_ action: String, _ code: Int32) -> RouterError {
        RouterError("\(action) \(host):\(port) failed: \(String(cString: strerror(code)))")
    }
}

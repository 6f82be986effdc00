#if canImport(Glibc)
    import Glibc
#endif

/// Blocking TCP sockets on 127.0.0.1 for tests that must control every byte a server sees (or
/// never sees): raw clients, misbehaving fake servers, a port that is taken or free.
///
/// The descriptors are plain `Int32`s that the caller closes; blocking calls on them belong on a
/// thread of their own (see `OffThePool`), never on Swift's cooperative pool.
public enum LoopbackSocket {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        /// `what` failed, with the current `errno` spelled out.
        static func errno(_ what: String) -> Failure {
            let code = Glibc.errno
            return Failure(description: "\(what): \(String(cString: strerror(code))) (errno \(code))")
        }
    }

    /// 127.0.0.1:`port`; port 0 lets the kernel choose one when the socket is bound.
    public static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A socket connected to 127.0.0.1:`port`. A `timeout` bounds every send and receive (and the
    /// connect itself), so a test waiting for bytes that never come fails instead of hanging; without
    /// one, calls block until the peer acts. A small `receiveBuffer` (set before connecting, so the
    /// window is small from the first byte) makes a client that never reads fill up quickly.
    public static func connected(to port: Int, timeout: Duration? = nil, receiveBuffer: Int32? = nil) throws(Failure)
        -> Int32
    {
        let fd = try open()
        do throws(Failure) {
            if let timeout { try setTimeouts(fd, timeout) }
            if var size = receiveBuffer {
                try check(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)), "SO_RCVBUF")
            }
            var peer = address(port: port)
            let code = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try check(code, "connect to 127.0.0.1:\(port)")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// True when a TCP connect to 127.0.0.1:`port` succeeds right now.
    public static func accepts(port: Int) -> Bool {
        guard let fd = try? connected(to: port) else { return false }
        close(fd)
        return true
    }

    /// A socket bound to loopback `port` (0: one the kernel chooses), and that port. With a `backlog` it also
    /// listens: connects complete (the kernel queues them) whether or not anyone accepts.
    public static func bound(port: Int = 0, listening backlog: Int32? = nil) throws(Failure)
        -> (descriptor: Int32, port: Int)
    {
        let fd = try open()
        do throws(Failure) {
            var loopback = address(port: port)
            let bound = withUnsafePointer(to: &loopback) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try check(bound, "bind to 127.0.0.1:\(port)")
            if let backlog { try check(listen(fd, backlog), "listen") }
        } catch {
            close(fd)
            throw error
        }
        return (fd, Self.port(of: fd))
    }

    /// How long each send and receive on `fd` may block (`SO_SNDTIMEO`, `SO_RCVTIMEO`).
    public static func setTimeouts(_ fd: Int32, _ timeout: Duration) throws(Failure) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        try check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size), "SO_RCVTIMEO")
        try check(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size), "SO_SNDTIMEO")
    }

    private static func open() throws(Failure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .errno("socket") }
        return fd
    }

    /// The local port of a bound socket.
    private static func port(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func check(_ code: Int32, _ what: String) throws(Failure) {
        if code < 0 { throw .errno(what) }
    }
}

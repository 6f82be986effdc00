import CLibUV

/// A listening TCP socket on the loop: binds, listens, and hands each accepted connection on.
/// Loop-confined.
final class TCPListener {
    private let socket: TCPStream
    /// The bound port (the one the kernel picked when 0 was asked for).
    let port: Int

    /// Binds `host:port` (IPv6 when `host` has a colon) and listens; `onAccept` gets each accepted
    /// connection, not yet reading. Throws when the address is invalid or taken.
    init(loop: EventLoop, host: String, port: Int, backlog: Int32, onAccept: @escaping (TCPStream) -> Void) throws(UVError) {
        let socket = try TCPStream(loop: loop)
        do {
            try Self.bind(socket, host: host, port: port)
            try UVError.check(uv_listen(socket.stream, backlog) { stream, status in
                HandleMemory.owner(stream!.pointee.data, as: TCPStream.self).onAccept?(status)
            }, "listen on \(host):\(port)")
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.port = Self.boundPort(socket)
        // Unowned: the listening stream lives until `close()`, and nothing accepts after that.
        socket.onAccept = { [unowned socket, loop] status in
            guard status == 0, let client = try? TCPStream(loop: loop) else { return }
            guard uv_accept(socket.stream, client.stream) == 0 else { return client.close() }
            onAccept(client)
        }
    }

    /// Stops listening; connections already accepted stay open.
    func close() {
        socket.close()
    }

    private static func bind(_ socket: TCPStream, host: String, port: Int) throws(UVError) {
        var storage = sockaddr_storage()
        let address = "\(host):\(port)"
        try withUnsafeMutableBytes(of: &storage) { raw throws(UVError) in
            let code =
                host.contains(":")
                ? uv_ip6_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
                : uv_ip4_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
            try UVError.check(code, "parse address \(address)")
            try UVError.check(uv_tcp_bind(socket.handle, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), 0), "bind \(address)")
        }
    }

    private static func boundPort(_ socket: TCPStream) -> Int {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw in
            let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            guard uv_tcp_getsockname(socket.handle, address, &length) == 0 else { return 0 }
            // sin_port and sin6_port sit at the same offset.
            let port = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port
            return Int(UInt16(bigEndian: port))
        }
    }
}

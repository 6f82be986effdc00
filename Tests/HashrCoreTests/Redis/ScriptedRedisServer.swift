import HashrTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fake Redis on a loopback port that misbehaves on purpose, for failures a real server will not
/// produce on demand. Serves one connection on a thread of its own, with blocking sockets that time
/// out, so it always ends.
final class ScriptedRedisServer: Sendable {
    enum Script: Sendable {
        /// Accepts and never answers (a hung server, or one stuck in the handshake).
        case silent
        /// Answers the handshake PING, then resets the connection (RST) when the next command arrives.
        case pongThenReset
    }

    let port: Int
    private let listener: Int32

    init(_ script: Script) throws {
        let (fd, port) = try LoopbackSocket.bound(listening: 4)
        self.port = port
        listener = fd
        Thread { Self.serve(fd, script) }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ listener: Int32, _ script: Script) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        switch script {
        case .silent:
            while read(connection, &buffer, buffer.count) > 0 {}
            close(connection)
        case .pongThenReset:
            guard read(connection, &buffer, buffer.count) > 0 else {
                close(connection)
                return
            }
            _ = "+PONG\r\n".withCString { write(connection, $0, 7) }
            _ = read(connection, &buffer, buffer.count)
            // Linger with a zero timeout turns close into a reset.
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            close(connection)
        }
    }
}

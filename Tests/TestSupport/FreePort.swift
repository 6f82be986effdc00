import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback ports for servers that must be told their port up front (redis-server, HAProxy,
/// Prometheus) and for ports where nothing may listen.
///
/// Handed out in order from just below the kernel's ephemeral range, never twice in one test
/// process. Not `bind(0)`: the kernel gives a port that was just closed to the next `bind(0)` or
/// outgoing connection, and in a parallel run that was another test's server. A Redis client
/// retrying a killed server's port then reached someone's HTTP server, and one HAProxy's admin
/// port was another's frontend. Servers that bind port 0, and every outgoing connection, stay in
/// the ephemeral range, so they never meet these ports.
public enum FreePort {
    /// About 12,000 ports ending at the start of the ephemeral range (`ip_local_port_range`).
    private static let range: Range<Int> = {
        let ephemeralStart =
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first }.flatMap { Int($0) } ?? 32768
        return max(1024, ephemeralStart - 12_000)..<max(2048, ephemeralStart)
    }()

    /// The next port to try; each process starts at its own offset, so two test processes at once
    /// (a developer's and a CI's) rarely probe the same ports.
    private static let next = Mutex<Int>(range.lowerBound + Int(getpid()) % range.count)

    /// A port no test of this process has had, that nothing listens on right now.
    public static func take() -> Int {
        for _ in range {
            let port = next.withLock { next in
                defer { next = next + 1 < range.upperBound ? next + 1 : range.lowerBound }
                return next
            }
            if let (socket, _) = try? LoopbackSocket.bound(port: port) {
                close(socket)
                return port
            }
        }
        // Only a machine with every one of these ports taken gets here, and then no test can work.
        fatalError("no free loopback port in \(range)")
    }
}

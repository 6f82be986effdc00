#if canImport(Glibc)
    import Glibc
#endif

/// Loopback ports for servers that must be told their port up front (HAProxy).
public enum FreePort {
    /// A port nothing listens on right now: the kernel picks it for a socket we then close.
    public static func take() -> Int {
        do {
            let (socket, port) = try LoopbackSocket.bound()
            close(socket)
            return port
        } catch {
            // Only running out of descriptors gets here, and then no test of the run can work.
            fatalError("no loopback port to take: \(error)")
        }
    }
}

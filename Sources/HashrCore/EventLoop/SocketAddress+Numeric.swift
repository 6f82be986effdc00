import CLibUV

extension SocketAddress {
    /// The address for a numeric IPv4 or IPv6 host, nil for a name. Callers skip the name lookup
    /// for these: it would take a thread of libuv's pool (four, shared by every loop of the process)
    /// for nothing, and a blocking caller already on that pool would wait for a second one.
    init?(numericHost host: String, port: Int) {
        guard (0...65535).contains(port) else { return nil }
        var v4 = sockaddr_in()
        if uv_ip4_addr(host, Int32(port), &v4) == 0 {
            let address = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: MemoryLayout<sockaddr_in>.size) }
            }
            guard let address else { return nil }
            self = address
            return
        }
        var v6 = sockaddr_in6()
        guard uv_ip6_addr(host, Int32(port), &v6) == 0 else { return nil }
        let address = withUnsafePointer(to: &v6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: MemoryLayout<sockaddr_in6>.size) }
        }
        guard let address else { return nil }
        self = address
    }
}

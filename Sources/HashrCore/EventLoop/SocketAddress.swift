import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// A resolved IPv4 or IPv6 socket address, copied out of `getaddrinfo`'s list.
struct SocketAddress {
    var storage = sockaddr_storage()
    /// The numeric host alone, as hiredis takes it: `127.0.0.1`, `::1`.
    var host = ""
    var port = 0

    var isIPv4: Bool { storage.ss_family == sa_family_t(AF_INET) }

    /// `127.0.0.1:6379` or `[::1]:6379`, for messages.
    var text: String { isIPv4 ? "\(host):\(port)" : "[\(host)]:\(port)" }

    /// Copies an IPv4 or IPv6 address; nil for any other family.
    init?(_ address: UnsafePointer<sockaddr>, length: Int) {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let named = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                port = Int(UInt16(bigEndian: v4.pointee.sin_port))
                return uv_ip4_name(v4, &buffer, buffer.count) == 0
            }
            guard named else { return nil }
        case AF_INET6:
            let named = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                port = Int(UInt16(bigEndian: v6.pointee.sin6_port))
                return uv_ip6_name(v6, &buffer, buffer.count) == 0
            }
            guard named else { return nil }
        default:
            return nil
        }
        host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(length, raw.count)))
        }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }
}

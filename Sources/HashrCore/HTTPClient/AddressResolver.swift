import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// A resolved socket address, copied out of `getaddrinfo`'s list.
struct SocketAddress {
    var storage = sockaddr_storage()
    var text = ""

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }
}

/// Name resolution through `uv_getaddrinfo`, on libuv's thread pool, so a slow DNS server never
/// blocks the loop.
enum AddressResolver {
    static func resolve(
        loop: EventLoop, host: String, port: Int, completion: @escaping (Result<[SocketAddress], HTTPClientError>) -> Void
    ) {
        loop.assertInEventLoop()
        let request = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)
        let box = ResolveBox(host: host, completion: completion)
        request.pointee.data = Unmanaged.passRetained(box).toOpaque()
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let code = uv_getaddrinfo(loop.raw, request, { request, status, list in
            let box = Unmanaged<ResolveBox>.fromOpaque(request!.pointee.data!).takeRetainedValue()
            request!.deallocate()
            defer { if let list { uv_freeaddrinfo(list) } }
            guard status == 0 else {
                return box.completion(.failure(.resolveFailed(host: box.host, reason: String(cString: uv_strerror(status)))))
            }
            box.completion(.success(AddressResolver.addresses(list)))
        }, host, String(port), &hints)
        if code < 0 {
            Unmanaged<ResolveBox>.fromOpaque(request.pointee.data!).release()
            request.deallocate()
            completion(.failure(.resolveFailed(host: host, reason: String(cString: uv_strerror(code)))))
        }
    }

    private static func addresses(_ list: UnsafeMutablePointer<addrinfo>?) -> [SocketAddress] {
        var result: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 {
                var resolved = SocketAddress()
                withUnsafeMutableBytes(of: &resolved.storage) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
                }
                resolved.text = describe(address)
                result.append(resolved)
            }
            entry = info.ai_next
        }
        // IPv4 first: "localhost" often lists ::1 first while services here listen on 0.0.0.0.
        return result.filter { $0.storage.ss_family == sa_family_t(AF_INET) } + result.filter { $0.storage.ss_family != sa_family_t(AF_INET) }
    }

    static func describe(_ address: UnsafePointer<sockaddr>) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        if address.pointee.sa_family == sa_family_t(AF_INET6) {
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                uv_ip6_name(v6, &buffer, buffer.count)
                return "[\(cText(buffer))]:\(UInt16(bigEndian: v6.pointee.sin6_port))"
            }
        }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
            uv_ip4_name(v4, &buffer, buffer.count)
            return "\(cText(buffer)):\(UInt16(bigEndian: v4.pointee.sin_port))"
        }
    }
}

/// A NUL-terminated C buffer as a String.
private func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private final class ResolveBox {
    let host: String
    let completion: (Result<[SocketAddress], HTTPClientError>) -> Void

    init(host: String, completion: @escaping (Result<[SocketAddress], HTTPClientError>) -> Void) {
        self.host = host
        self.completion = completion
    }
}

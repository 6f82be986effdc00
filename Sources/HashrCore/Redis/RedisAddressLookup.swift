import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// Resolves the Redis host name with `uv_getaddrinfo` on libuv's thread pool.
///
/// `redisAsyncConnect` would call getaddrinfo itself, on the loop thread, where a slow DNS server
/// would stall every request; so names are looked up here first and hiredis only ever sees a numeric
/// address. Re-resolved on every attempt, since a Redis behind a DNS name may move. Loop-confined.
final class RedisAddressLookup {
    private let request: UnsafeMutablePointer<uv_getaddrinfo_t>
    private var completion: ((Result<String, RedisError>) -> Void)?
    private var finished = false

    /// True for an IPv4 or IPv6 address, which needs no lookup.
    static func isNumeric(_ host: String) -> Bool {
        var address = in6_addr()
        return withUnsafeMutableBytes(of: &address) { raw in
            uv_inet_pton(AF_INET, host, raw.baseAddress) == 0 || uv_inet_pton(AF_INET6, host, raw.baseAddress) == 0
        }
    }

    /// Starts the lookup; `completion` runs once on the loop with the first address (IPv4 preferred,
    /// as "localhost" often lists ::1 first while Redis listens on 127.0.0.1), unless cancelled.
    static func start(loop: EventLoop, host: String, completion: @escaping (Result<String, RedisError>) -> Void)
        -> RedisAddressLookup?
    {
        loop.assertInEventLoop()
        let lookup = RedisAddressLookup(completion: completion)
        lookup.request.pointee.data = Unmanaged.passRetained(lookup).toOpaque()
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let code = uv_getaddrinfo(
            loop.raw, lookup.request,
            { request, status, list in
                Unmanaged<RedisAddressLookup>.fromOpaque(request!.pointee.data!).takeRetainedValue().finish(
                    status, list)
            }, host, nil, &hints)
        if code < 0 {
            Unmanaged<RedisAddressLookup>.fromOpaque(lookup.request.pointee.data!).release()
            completion(.failure(.resolveFailed("\(host): \(String(cString: uv_strerror(code)))")))
            return nil
        }
        return lookup
    }

    private init(completion: @escaping (Result<String, RedisError>) -> Void) {
        self.completion = completion
        request = .allocate(capacity: 1)
    }

    deinit {
        request.deallocate()
    }

    /// Drops the result. The request still finishes (libuv can only cancel it before a pool thread
    /// picks it up), and the loop keeps running until it has.
    func cancel() {
        completion = nil
        guard !finished else { return }
        request.withMemoryRebound(to: uv_req_t.self, capacity: 1) { _ = uv_cancel($0) }
    }

    private func finish(_ status: Int32, _ list: UnsafeMutablePointer<addrinfo>?) {
        finished = true
        defer { if let list { uv_freeaddrinfo(list) } }
        guard let completion else { return }
        self.completion = nil
        guard status == 0 else {
            return completion(.failure(.resolveFailed(String(cString: uv_strerror(status)))))
        }
        var fallback: String?
        var entry = list
        while let info = entry?.pointee {
            if let address = Self.text(info) {
                if info.ai_family == AF_INET { return completion(.success(address)) }
                fallback = fallback ?? address
            }
            entry = info.ai_next
        }
        completion(fallback.map { .success($0) } ?? .failure(.resolveFailed("no IPv4 or IPv6 address")))
    }

    private static func text(_ info: addrinfo) -> String? {
        guard let address = info.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let code: Int32
        switch info.ai_family {
        case AF_INET:
            code = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                uv_ip4_name($0, &buffer, buffer.count)
            }
        case AF_INET6:
            code = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                uv_ip6_name($0, &buffer, buffer.count)
            }
        default: return nil
        }
        guard code == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// Why a host name could not be resolved.
struct AddressLookupFailure: Error {
    let host: String
    let reason: String
}

/// Name resolution through `uv_getaddrinfo`, on libuv's thread pool, so a slow DNS server never
/// blocks the loop. The HTTP client and the Redis connection both resolve through this, the latter
/// on every reconnect, since a service behind a DNS name may move. Loop-confined.
final class AddressLookup {
    typealias Completion = (Result<[SocketAddress], AddressLookupFailure>) -> Void

    private let host: String
    private let request: UnsafeMutablePointer<uv_getaddrinfo_t>
    private var completion: Completion?
    private var finished = false

    /// True for an IPv4 or IPv6 address, which needs no lookup.
    static func isNumeric(_ host: String) -> Bool {
        var address = in6_addr()
        return withUnsafeMutableBytes(of: &address) { raw in
            uv_inet_pton(AF_INET, host, raw.baseAddress) == 0 || uv_inet_pton(AF_INET6, host, raw.baseAddress) == 0
        }
    }

    /// Starts the lookup; `completion` runs once on the loop, unless cancelled, with at least one
    /// address, IPv4 ones first ("localhost" often lists ::1 first while services listen on
    /// 0.0.0.0 or 127.0.0.1). When libuv refuses the request outright, `completion` runs before this
    /// returns nil.
    @discardableResult
    static func start(loop: EventLoop, host: String, port: Int, completion: @escaping Completion) -> AddressLookup? {
        loop.assertInEventLoop()
        let lookup = AddressLookup(host: host, completion: completion)
        lookup.request.pointee.data = Unmanaged.passRetained(lookup).toOpaque()
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let code = uv_getaddrinfo(
            loop.raw, lookup.request,
            { request, status, list in
                Unmanaged<AddressLookup>.fromOpaque(request!.pointee.data!).takeRetainedValue().finish(status, list)
            }, host, String(port), &hints)
        if code < 0 {
            Unmanaged<AddressLookup>.fromOpaque(lookup.request.pointee.data!).release()
            completion(.failure(AddressLookupFailure(host: host, reason: String(cString: uv_strerror(code)))))
            return nil
        }
        return lookup
    }

    private init(host: String, completion: @escaping Completion) {
        self.host = host
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
            return completion(.failure(AddressLookupFailure(host: host, reason: String(cString: uv_strerror(status)))))
        }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr, let copied = SocketAddress(address, length: Int(info.ai_addrlen)) {
                addresses.append(copied)
            }
            entry = info.ai_next
        }
        guard !addresses.isEmpty else {
            return completion(.failure(AddressLookupFailure(host: host, reason: "no IPv4 or IPv6 address")))
        }
        completion(.success(addresses.filter(\.isIPv4) + addresses.filter { !$0.isIPv4 }))
    }
}

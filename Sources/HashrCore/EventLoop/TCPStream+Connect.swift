import CLibUV

extension TCPStream {
    /// Connects to `address`; `completion` gets nil on success or the libuv error.
    func connect(to address: SocketAddress, completion: @escaping (UVError?) -> Void) {
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(ConnectBox(completion)).toOpaque()
        let text = address.text
        let code = address.withSockaddr { sockaddr in
            uv_tcp_connect(request, handle, sockaddr) { request, status in
                let box = Unmanaged<ConnectBox>.fromOpaque(request!.pointee.data!).takeRetainedValue()
                request!.deallocate()
                box.completion(status < 0 ? UVError(code: status, operation: "connect") : nil)
            }
        }
        if code < 0 {
            Unmanaged<ConnectBox>.fromOpaque(request.pointee.data!).release()
            request.deallocate()
            completion(UVError(code: code, operation: "connect to \(text)"))
        }
    }
}

private final class ConnectBox {
    let completion: (UVError?) -> Void
    init(_ completion: @escaping (UVError?) -> Void) { self.completion = completion }
}

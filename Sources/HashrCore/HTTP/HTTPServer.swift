import CLibUV
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on the event loop. Loop-confined.
public final class HTTPServer {
    public let loop: EventLoop
    public let configuration: Configuration
    let router: HTTPRouter
    let logger: Logger
    let metrics: HTTPServerMetrics
    private var listener: TCPStream?
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]
    private var shutdownCompletions: [() -> Void] = []
    private var shutdownFinished = false
    private var graceTimer: LoopTimer?
    private var cachedDate = (second: UInt64.max, text: "")

    /// The bound port (useful when the configuration asked for port 0).
    public private(set) var port = 0
    public private(set) var isShuttingDown = false

    public init(loop: EventLoop, configuration: Configuration, router: HTTPRouter, metrics: ServiceMetrics, logger: Logger) {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.metrics = HTTPServerMetrics(metrics: metrics, logger: logger)
    }

    public var connectionCount: Int { connections.count }

    /// Binds and listens. Throws when the address is taken or invalid.
    public func start() throws(UVError) {
        let listener = try TCPStream(loop: loop)
        do {
            try bind(listener)
            try UVError.check(uv_listen(listener.stream, configuration.backlog) { stream, status in
                HandleMemory.owner(stream!.pointee.data, as: TCPStream.self).onAccept?(status)
            }, "listen on \(configuration.host):\(configuration.port)")
        } catch {
            listener.close()
            throw error
        }
        listener.onAccept = { [unowned self] status in accept(status) }
        self.listener = listener
        port = Self.boundPort(listener)
        logger.info("listening on \(configuration.host):\(port)")
    }

    private func bind(_ listener: TCPStream) throws(UVError) {
        var storage = sockaddr_storage()
        let address = "\(configuration.host):\(configuration.port)"
        try withUnsafeMutableBytes(of: &storage) { raw throws(UVError) in
            let isIPv6 = configuration.host.contains(":")
            let code =
                isIPv6
                ? uv_ip6_addr(configuration.host, Int32(configuration.port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
                : uv_ip4_addr(configuration.host, Int32(configuration.port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
            try UVError.check(code, "parse address \(address)")
            try UVError.check(uv_tcp_bind(listener.handle, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), 0), "bind \(address)")
        }
    }

    private static func boundPort(_ stream: TCPStream) -> Int {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw in
            let address = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            guard uv_tcp_getsockname(stream.handle, address, &length) == 0 else { return 0 }
            let port = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port
            return Int(UInt16(bigEndian: port))
        }
    }

    private func accept(_ status: Int32) {
        guard status == 0, let listener else { return }
        guard let client = try? TCPStream(loop: loop) else { return }
        guard uv_accept(listener.stream, client.stream) == 0 else { return client.close() }
        guard connections.count < configuration.maxConnections, !isShuttingDown else {
            logger.warning("refusing a connection: \(connections.count) open, the limit is \(configuration.maxConnections)")
            return client.close()
        }
        let connection = HTTPServerConnection(server: self, tcp: client)
        connections[ObjectIdentifier(connection)] = connection
        metrics.openConnections.record(connections.count)
        connection.start()
    }

    func connectionClosed(_ connection: HTTPServerConnection) {
        connections[ObjectIdentifier(connection)] = nil
        metrics.openConnections.record(connections.count)
        finishShutdownIfDone()
    }

    func connectionBecameIdleIfShuttingDown(_ connection: HTTPServerConnection) {
        if isShuttingDown && connection.isIdle { connection.close() }
    }

    /// Stops accepting, lets in-flight requests finish (streams are ended), closes idle
    /// keep-alive connections, and force-closes what is left after the grace period. `completion`
    /// runs on the loop once every connection is closed.
    public func shutdown(completion: @escaping () -> Void = {}) {
        if shutdownFinished { return completion() }
        shutdownCompletions.append(completion)
        guard !isShuttingDown else { return }
        isShuttingDown = true
        listener?.close()
        listener = nil
        logger.info("shutting down: \(connections.count) connection(s) open, grace \(configuration.shutdownGracePeriod.shortText)")
        for connection in Array(connections.values) { connection.beginShutdown() }
        if connections.isEmpty { return finishShutdownIfDone() }
        let timer = LoopTimer(loop: loop) { [unowned self] in
            logger.warning("grace period over: closing \(connections.count) connection(s)")
            for connection in Array(connections.values) { connection.close() }
        }
        timer.start(after: configuration.shutdownGracePeriod)
        graceTimer = timer
    }

    private func finishShutdownIfDone() {
        guard isShuttingDown, connections.isEmpty, !shutdownFinished else { return }
        shutdownFinished = true
        graceTimer?.close()
        graceTimer = nil
        let completions = shutdownCompletions
        shutdownCompletions = []
        for completion in completions { completion() }
    }

    /// The `Date` header value, formatted once per second.
    func httpDate() -> String {
        let second = loop.nowMilliseconds / 1000
        if second != cachedDate.second {
            var now = time(nil)
            var parts = tm()
            gmtime_r(&now, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let length = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            cachedDate = (second, String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return cachedDate.text
    }
}

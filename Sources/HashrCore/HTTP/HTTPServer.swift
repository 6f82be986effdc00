import CLibUV
import Logging

/// A small HTTP/1.1 server on the event loop. Loop-confined.
public final class HTTPServer {
    public let loop: EventLoop
    public let configuration: Configuration
    let router: HTTPRouter
    let logger: Logger
    let metrics: HTTPServerMetrics
    /// Around every exchange, in this order: request metrics, CORS (when configured), the access log.
    let wrappers: [any HTTPExchangeWrapper]
    /// What every answer's head repeats (the wrappers' fields, gathered once, among them).
    let heads: HTTPResponseHeadCache
    /// Answers are laid out here, reused from one to the next (taken while in use; one that grew
    /// past 64 KiB for a large body is let go rather than kept).
    var responseBuffer: [UInt8] = []
    private var listener: TCPListener?
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]
    /// One part: every connection closed.
    private let shutdownBarrier = ShutdownBarrier(parts: 1)
    private var graceTimer: LoopTimer?

    /// The bound port (useful when the configuration asked for port 0).
    public private(set) var port = 0
    public private(set) var isShuttingDown = false

    public init(loop: EventLoop, configuration: Configuration, router: HTTPRouter, metrics: ServiceMetrics, logger: Logger) {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
        self.router = router
        self.logger = logger
        let serverMetrics = HTTPServerMetrics(metrics: metrics)
        self.metrics = serverMetrics
        var wrappers: [any HTTPExchangeWrapper] = [serverMetrics]
        if let origin = configuration.corsAllowOrigin { wrappers.append(CORSWrapper(allowOrigin: origin, router: router)) }
        wrappers.append(AccessLog(logger: logger))
        self.wrappers = wrappers
        heads = HTTPResponseHeadCache(
            defaults: configuration.defaultHeaders,
            added: HTTPHeaders(wrappers.flatMap { $0.addedFields.fields.map { ($0.name, $0.value) } }))
    }

    public var connectionCount: Int { connections.count }

    /// Binds and listens. Throws when the address is taken or invalid.
    public func start() throws(UVError) {
        let listener = try TCPListener(
            loop: loop, host: configuration.host, port: configuration.port, backlog: configuration.backlog
        ) { [unowned self] client in accept(client) }
        self.listener = listener
        port = listener.port
        logger.info("listening on \(configuration.host):\(port)")
    }

    private func accept(_ client: TCPStream) {
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
        shutdownBarrier.whenDone(completion)
        guard !isShuttingDown else { return }
        isShuttingDown = true
        listener?.close()
        listener = nil
        logger.info("shutting down: \(connections.count) connection(s) open, grace \(configuration.shutdownGracePeriod.shortText)")
        for connection in Array(connections.values) { connection.beginShutdown() }
        if connections.isEmpty { return finishShutdownIfDone() }
        // Weak: a server dropped while shutting down must not be read when its grace timer fires.
        let timer = LoopTimer(loop: loop) { [weak self] in
            guard let self else { return }
            logger.warning("grace period over: closing \(connections.count) connection(s)")
            for connection in Array(connections.values) { connection.close() }
        }
        timer.start(after: configuration.shutdownGracePeriod)
        graceTimer = timer
    }

    private func finishShutdownIfDone() {
        guard isShuttingDown, connections.isEmpty, !shutdownBarrier.isFinished else { return }
        graceTimer?.close()
        graceTimer = nil
        shutdownBarrier.partDone()
    }
}

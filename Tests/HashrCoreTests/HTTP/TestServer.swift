import Logging

@testable import HashrCore

/// An HTTP server on an event loop thread of its own, with `TestRoutes` and whatever a test adds.
///
/// Settings differ from the defaults only where a test must not wait long: a short grace period.
final class TestServer: Sendable {
    let thread: EventLoopThread
    let server: LoopBound<HTTPServer>
    let metrics: ServiceMetrics
    let port: Int

    private init(thread: EventLoopThread, server: LoopBound<HTTPServer>, metrics: ServiceMetrics, port: Int) {
        self.thread = thread
        self.server = server
        self.metrics = metrics
        self.port = port
    }

    static func start(
        logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        configure: @escaping @Sendable (inout HTTPServer.Configuration) -> Void = { _ in },
        routes: @escaping @Sendable (inout HTTPRouter, EventLoop) -> Void = { _, _ in }
    ) async throws -> TestServer {
        let thread = try EventLoopThread(name: "test-http-server")
        let metrics = ServiceMetrics()
        do {
            let (server, port) = try await thread.submit {
                let loop = thread.loop
                var configuration = HTTPServer.Configuration()
                configuration.host = "127.0.0.1"
                configuration.port = 0
                configuration.shutdownGracePeriod = .seconds(2)
                configure(&configuration)
                var router = HTTPRouter()
                TestRoutes.add(to: &router, loop: loop, metrics: metrics)
                routes(&router, loop)
                let server = HTTPServer(
                    loop: loop, configuration: configuration, router: router, metrics: metrics, logger: logger)
                try server.start()
                return (LoopBound(server, loop: loop), server.port)
            }
            return TestServer(thread: thread, server: server, metrics: metrics, port: port)
        } catch {
            _ = await thread.shutdown()
            throw error
        }
    }

    /// A new client connected to this server.
    func client(timeout: Duration = .seconds(5), receiveBuffer: Int32? = nil) throws -> TestClient {
        try TestClient(port: port, timeout: timeout, receiveBuffer: receiveBuffer)
    }

    /// Reads something off the server on its loop.
    func inspect<T: Sendable>(_ read: @escaping @Sendable (HTTPServer) -> T) async throws -> T {
        try await thread.submit { [server] in read(server.value) }
    }

    var connectionCount: Int {
        get async throws { try await inspect { $0.connectionCount } }
    }

    /// Shuts the server down, stops the loop and returns `uv_loop_close`'s result (0: no handle left).
    func stop() async -> Int32 {
        await thread.shutdown { [server] in server.value.shutdown() }
    }
}

extension TestServer {
    /// A server whose `GET /big` answers 16 MiB, and a client with a 4 KiB receive buffer that asked
    /// for it and never reads: far more than the kernel buffers, so the answer stays unfinished.
    static func startWithAClientThatStopsReading(
        configure: @escaping @Sendable (inout HTTPServer.Configuration) -> Void
    ) async throws -> (TestServer, TestClient) {
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 16 * 1024 * 1024)
        let server = try await TestServer.start(
            configure: configure,
            routes: { router, _ in
                router.get("/big") { _, responder in responder.respond(HTTPResponse(status: 200, body: big)) }
            })
        let client = try server.client(receiveBuffer: 4096)
        try await client.send(get("/big", "Connection: close\r\n"))
        return (server, client)
    }
}

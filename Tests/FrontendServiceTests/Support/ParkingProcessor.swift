import HashrCore
import HashrTestSupport
import Logging

/// A stand-in processor that holds every request unanswered until the test releases them, so a test
/// can have requests in flight for as long as it likes.
final class ParkingProcessor: Sendable {
    /// Loop-confined state: the parked responders and whether to answer at once.
    private final class Parking {
        var responders: [HTTPResponder] = []
        var released = false
    }

    private let thread: EventLoopThread
    private let server: LoopBound<HTTPServer>
    private let parking: LoopBound<Parking>
    let endpoint: HTTPEndpoint

    init() async throws {
        thread = try EventLoopThread(name: "parking-processor")
        let loop = thread.loop
        (server, parking, endpoint) = try await thread.submit {
            let parking = Parking()
            var router = HTTPRouter()
            router.post("/") { _, responder in
                if parking.released {
                    responder.respond(.json(Array("{}".utf8)))
                } else {
                    parking.responders.append(responder)
                }
            }
            var configuration = HTTPServer.Configuration()
            configuration.host = "127.0.0.1"
            configuration.port = 0
            var logger = Logger(label: "parking-processor")
            logger.logLevel = .warning
            let server = HTTPServer(
                loop: loop, configuration: configuration, router: router, metrics: ServiceMetrics(), logger: logger)
            try server.start()
            return (
                LoopBound(server, loop: loop), LoopBound(parking, loop: loop),
                HTTPEndpoint(host: "127.0.0.1", port: server.port)
            )
        }
    }

    var parkedCount: Int {
        get async { (try? await thread.submit { [parking] in parking.value.responders.count }) ?? 0 }
    }

    /// Answers every parked request with 200, and from now on answers at once. Returns how many were parked.
    func releaseAll() async -> Int {
        (try? await thread.submit { [parking] in
            let parked = parking.value.responders
            parking.value.responders = []
            parking.value.released = true
            for responder in parked { responder.respond(.json(Array("{}".utf8))) }
            return parked.count
        }) ?? 0
    }

    /// Stops the server; returns `uv_loop_close`'s result.
    func stop() async -> Int32 {
        let server = self.server
        _ = await thread.submitAsync { (complete: @escaping (Bool) -> Void) in server.value.shutdown { complete(true) }
        }
        return await thread.shutdown()
    }
}

import CoreMetrics
import HashrCore
import Logging

/// The worker: `POST /` hashes `str` and publishes `PREFIX + hash` to Redis channel `calculation`,
/// answering only once Redis acknowledged the PUBLISH. Loop-confined.
public final class WorkerService: RunningService {
    public static let channel = "calculation"

    private let loop: EventLoop
    private let configuration: WorkerConfiguration
    private let logger: Logger
    public let metrics = ServiceMetrics()
    private let redis: RedisClient
    private var server: HTTPServer!
    private var hasher = HashComputation(random: FastRandom(), hourOfDay: HourOfDay().current)
    private let published: CoreMetrics.Counter
    private let publishFailures: CoreMetrics.Counter
    private let redisConnected: CoreMetrics.Gauge
    /// `PREFIX` as bytes, and the answer's body up to the hash: `{"hash":"` and `PREFIX` quoted as
    /// JSON (it comes from configuration and may hold anything; the base64 after it needs no escape).
    private let prefixBytes: [UInt8]
    private let answerStart: [UInt8]
    /// Each PUBLISH's message (`PREFIX` + hash) is laid out here, reused from one to the next.
    private var message: [UInt8] = []

    /// Starts listening and connecting to Redis. Throws when the port cannot be bound.
    /// `redisConfiguration` overrides the Redis timeouts and backoff (tests make them short).
    public init(
        loop: EventLoop, configuration: WorkerConfiguration, logger: Logger, redisConfiguration: RedisConfiguration? = nil
    ) throws {
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        published = metrics.counter("worker_publishes_total")
        publishFailures = metrics.counter("worker_publish_failures_total")
        redisConnected = metrics.gauge("worker_redis_connected")
        prefixBytes = Array(configuration.prefix.utf8)
        var answerStart: [UInt8] = []
        JSONText.appendQuoted(configuration.prefix, to: &answerStart)
        answerStart.removeLast()  // the closing quote comes after the hash
        self.answerStart = Array("{\"hash\":".utf8) + answerStart
        redisConnected.record(0)
        redis = RedisClient(
            loop: loop,
            configuration: redisConfiguration
                ?? RedisConfiguration(url: configuration.redis, commandTimeout: configuration.redisTimeout),
            logger: logger)

        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.port = configuration.port
        serverConfiguration.limits.maxBodyBytes = configuration.maxBodyBytes
        serverConfiguration.shutdownGracePeriod = configuration.shutdownGrace
        serverConfiguration.corsAllowOrigin = "*"
        server = HTTPServer(loop: loop, configuration: serverConfiguration, router: makeRouter(), metrics: metrics, logger: logger)

        redis.onStateChange = { [redisConnected] state in redisConnected.record(state == .connected ? 1 : 0) }
        redis.connect()
        do {
            try server.start()
        } catch {
            redis.close()
            throw error
        }
        logger.info("worker ready: publishing to \(configuration.redis) channel \(Self.channel), prefix \"\(configuration.prefix)\"")
    }

    /// The bound port.
    public var port: Int { server.port }

    public var isRedisConnected: Bool { redis.isConnected }

    private func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        router.addHealthAndMetrics(metrics: metrics) { [unowned self] in
            redis.isConnected ? (true, "") : (false, "redis \(configuration.redis) is not connected")
        }
        router.post("/") { [unowned self] request, responder in hash(request, responder) }
        return router
    }

    private func hash(_ request: HTTPRequest, _ responder: HTTPResponder) {
        // The frontend's plain ASCII `{"str":"..."}` is hashed from the request's bytes; anything
        // else is parsed (and refused, if it must be) by `HashRequest`.
        let plain = HashRequest.plainText(request.body).flatMap { $0.isASCII ? $0.range : nil }
        var input = ""
        if plain == nil {
            switch HashRequest.parse(request.body) {
            case .success(let text): input = text
            case .failure(let error): return responder.respond(.error(400, error.description))
            }
        }
        // Fail at once rather than queue behind a Redis that is not there.
        guard redis.isConnected else {
            publishFailures.increment()
            return responder.respond(.error(503, "redis is not connected"))
        }
        // The answer is laid out now, in one array with the hash written in place, so the
        // completion holds that array and no string.
        let start = answerStart.count
        let hashLength = HashComputation<FastRandom>.textLength
        let answer = [UInt8](unsafeUninitializedCapacity: start + hashLength + Self.answerEnd.count) {
            buffer, count in
            _ = UnsafeMutableBufferPointer(rebasing: buffer[..<start]).initialize(fromContentsOf: answerStart)
            let hash = UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + hashLength)])
            if let plain {
                request.body.withUnsafeBufferPointer { bytes in
                    let text = UnsafeBufferPointer(rebasing: bytes[plain])
                    hasher.writeHash(ofUTF8: text, utf16Count: plain.count, into: hash)
                }
            } else {
                let utf16Count = input.utf16.count
                input.withUTF8 { hasher.writeHash(ofUTF8: $0, utf16Count: utf16Count, into: hash) }
            }
            _ = UnsafeMutableBufferPointer(rebasing: buffer[(start + hashLength)...])
                .initialize(fromContentsOf: Self.answerEnd)
            count = buffer.count
        }
        message.removeAll(keepingCapacity: true)
        message.append(contentsOf: prefixBytes)
        message.append(contentsOf: answer[start..<(start + hashLength)])
        redis.publish(channel: Self.channel, message: message) { [self] result in
            switch result {
            case .success:
                published.increment()
                responder.respond(.json(answer))
            case .failure(let error):
                publishFailures.increment()
                logger.warning("publish failed: \(error)")
                responder.respond(.error(503, "redis publish failed: \(error)"))
            }
        }
    }

    private static let answerEnd: [UInt8] = Array("\"}\n".utf8)

    /// Stops taking requests, lets in-flight ones (and their publishes) finish, then closes Redis.
    public func shutdown(completion: @escaping () -> Void) {
        server.shutdown { [self] in
            redis.close()
            completion()
        }
    }
}

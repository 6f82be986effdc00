import Logging

/// A connection to Redis that keeps itself up: resolves the host, connects, logs in (AUTH, SELECT,
/// then PING so "connected" means Redis answers), and after any failure or drop tries again with
/// backoff. The engine shared by `RedisClient` and `RedisSubscriber`. Loop-confined.
///
/// The driver of `RedisConnectionStateMachine`, which holds the rules; this class holds the
/// socket, the lookup and the one timer (the connect deadline while connecting, the reply watchdog
/// while connected, the backoff delay while disconnected) and carries out what the machine decides.
final class RedisConnection {
    typealias Completion = RedisSocket.Completion

    let loop: EventLoop
    let configuration: RedisConfiguration
    private let logger: Logger
    private var machine: RedisConnectionStateMachine
    /// The state last told to `onStateChange`.
    private var reportedState = RedisConnectionState.disconnected
    var state: RedisConnectionState { machine.state }
    /// Why the last attempt failed or the last connection ended; nil while connected.
    var lastError: RedisError? { machine.lastError }
    var onStateChange: ((RedisConnectionState) -> Void)?
    /// Runs once AUTH and SELECT have succeeded, before the connection counts as connected; it calls
    /// `ready` with nil when done, or with an error to abandon the attempt. A subscriber subscribes here.
    var prepare: ((RedisSocket, _ ready: @escaping (RedisError?) -> Void) -> Void)?

    private var socket: RedisSocket?
    private var lookup: AddressLookup?
    private var timer: LoopTimer?

    init(loop: EventLoop, configuration: RedisConfiguration, logger: Logger) {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "redis"] = "\(configuration.url)"  // the URL's description hides the password
        self.logger = logger
        machine = RedisConnectionStateMachine(configuration: configuration)
        timer = LoopTimer(loop: loop) { [weak self] in self?.timerFired() }
    }

    deinit {
        // Dropped without close(): still release the socket and timer so the loop can end.
        if machine.state != .closed { releaseResources() }
    }

    /// Starts the first attempt; later calls do nothing.
    func start() {
        loop.assertInEventLoop()
        run(machine.start())
    }

    /// Commands waiting for their replies on the current connection.
    var pendingCommands: Int { socket?.pending ?? 0 }

    /// Sends a command when connected; otherwise, or when too many are pending, fails it at once.
    func send<Argument: Collection<UInt8>>(_ arguments: [Argument], completion: @escaping Completion) {
        guard let socket = readySocket(.reply(completion)) else { return }
        if !socket.send(arguments, completion: completion) {
            completion(.failure(.notConnected))
        }
    }

    /// `send` for a command already in the wire format (see `RedisCommandEncoder`).
    func send(formatted command: UnsafeRawBufferPointer, handler: RedisReplyHandler) {
        guard let socket = readySocket(handler) else { return }
        if !socket.send(formatted: command, handler: handler) {
            handler(.failure(.notConnected))
        }
    }

    /// The socket when a command may be sent now; otherwise fails `handler` and returns nil.
    private func readySocket(_ handler: RedisReplyHandler) -> RedisSocket? {
        loop.assertInEventLoop()
        guard machine.state == .connected, let socket else {
            handler(.failure(machine.state == .closed ? .clientClosed : .notConnected))
            return nil
        }
        guard socket.pending < configuration.maximumPendingCommands else {
            handler(.failure(.tooManyPendingCommands(configuration.maximumPendingCommands)))
            return nil
        }
        return socket
    }

    /// Fails pending commands with `clientClosed`, closes every handle, and stops reconnecting.
    func close() {
        loop.assertInEventLoop()
        run(machine.close())
    }

    private func releaseResources() {
        timer?.close()
        timer = nil
        lookup?.cancel()
        lookup = nil
        let socket = self.socket
        self.socket = nil
        socket?.abort(.clientClosed)
    }

    // MARK: Events

    private func lookupFinished(_ result: Result<[SocketAddress], AddressLookupFailure>) {
        lookup = nil
        run(machine.lookupFinished(result.map { $0[0].host }.mapError { .resolveFailed("\($0.host): \($0.reason)") }))
    }

    private func timerFired() {
        let waited = socket.map { loop.nowMilliseconds &- $0.lastProgress } ?? 0
        run(machine.timerFired(pending: socket?.pending ?? 0, waitedMilliseconds: waited))
    }

    /// The socket of `attempt` if that is still the current attempt and its socket is still usable.
    private func currentSocket(_ attempt: Int) -> RedisSocket? {
        guard attempt == machine.attempt, let socket, socket.isUsable else { return nil }
        return socket
    }

    private func handshakeReplied(_ result: Result<RedisReply, RedisError>, _ attempt: Int, last: Bool) {
        guard currentSocket(attempt) != nil else { return }
        run(machine.handshakeReplied(result, attempt: attempt, last: last, preparing: prepare != nil))
    }

    private func prepared(_ error: RedisError?, _ attempt: Int) {
        guard currentSocket(attempt) != nil else { return }
        run(machine.prepared(error, attempt: attempt))
    }

    private func socketEnded(_ attempt: Int, _ reason: RedisError) {
        guard attempt == machine.attempt, socket != nil else { return }
        socket = nil
        run(machine.socketEnded(reason, attempt: attempt))
    }

    // MARK: Actions

    private func run(_ action: RedisConnectionStateMachine.Action) {
        switch action {
        case .none:
            break
        case .connect(let attempt, let route):
            reportState()
            timer?.start(after: configuration.connectTimeout)
            switch route {
            case .open(let address): open(address: address, attempt: attempt)
            case .awaitLookup: break
            case .lookUp:
                // hiredis would call getaddrinfo itself, on the loop thread, where a slow DNS server
                // would stall every request: names are looked up first and hiredis only sees a number.
                let url = configuration.url
                lookup = AddressLookup.start(loop: loop, host: url.host, port: url.port) { [weak self] result in
                    self?.lookupFinished(result)
                }
            }
        case .open(let address):
            open(address: address, attempt: machine.attempt)
        case .abortSocket(let reason):
            socket?.abort(reason)
        case .prepare(let attempt):
            guard let prepare, let socket else { return }
            prepare(socket) { [weak self] error in self?.prepared(error, attempt) }
        case .connected(let tick):
            timer?.start(after: tick, repeating: tick)
            logger.info("connected to Redis")
            reportState()
        case .retry(let delay, let reason, let log):
            let metadata: Logger.Metadata = ["retry_in": "\(delay.shortText)"]
            switch log {
            case .lostConnection: logger.warning("lost the Redis connection: \(reason)", metadata: metadata)
            case .warning: logger.warning("\(reason)", metadata: metadata)
            case .repeated: logger.debug("\(reason)", metadata: metadata)
            }
            timer?.start(after: delay)
            reportState()
        case .release:
            releaseResources()
            logger.debug("Redis connection closed")
            let onStateChange = self.onStateChange
            self.onStateChange = nil
            prepare = nil
            reportedState = .closed
            onStateChange?(.closed)
        }
    }

    private func open(address: String, attempt: Int) {
        logger.debug("connecting to Redis", metadata: ["address": "\(address)"])
        let socket: RedisSocket
        switch RedisSocket.connect(loop: loop, address: address, port: configuration.url.port) {
        case .failure(let error): return run(machine.openFailed(error))
        case .success(let opened): socket = opened
        }
        self.socket = socket
        machine.socketOpened()
        socket.onEnd = { [weak self] reason in self?.socketEnded(attempt, reason) }
        // Pipelined behind the connect: hiredis sends them as soon as the socket is writable, and
        // Redis answers in order, so nothing of the caller's can overtake them.
        let commands = machine.handshakeCommands
        for (index, command) in commands.enumerated() {
            let last = index == commands.count - 1
            _ = socket.send(command.map(\.utf8)) { [weak self] result in
                self?.handshakeReplied(result, attempt, last: last)
            }
        }
    }

    private func reportState() {
        guard machine.state != reportedState else { return }
        reportedState = machine.state
        onStateChange?(machine.state)
    }
}

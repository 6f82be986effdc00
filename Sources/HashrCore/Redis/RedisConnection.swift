import Logging

/// A connection to Redis that keeps itself up: resolves the host, connects, logs in (AUTH, SELECT,
/// then PING so "connected" means Redis answers), and after any failure or drop tries again with
/// backoff. The engine shared by `RedisClient` and `RedisSubscriber`. Loop-confined.
///
/// One timer serves every state: the connect deadline while connecting, the reply watchdog while
/// connected, the backoff delay while disconnected.
final class RedisConnection {
    typealias Completion = RedisSocket.Completion

    let loop: EventLoop
    let configuration: RedisConfiguration
    private let logger: Logger
    private(set) var state = RedisConnectionState.disconnected
    /// Why the last attempt failed or the last connection ended; nil while connected.
    private(set) var lastError: RedisError?
    var onStateChange: ((RedisConnectionState) -> Void)?
    /// Runs once AUTH and SELECT have succeeded, before the connection counts as connected; it calls
    /// `ready` with nil when done, or with an error to abandon the attempt. A subscriber subscribes here.
    var prepare: ((RedisSocket, _ ready: @escaping (RedisError?) -> Void) -> Void)?

    private var socket: RedisSocket?
    private var lookup: AddressLookup?
    private var timer: LoopTimer?
    private var backoff: ReconnectBackoff
    /// Numbers the attempts; callbacks carry theirs, so one that outlives its attempt is ignored.
    private var attempt = 0
    private var started = false
    private var lastLoggedError: RedisError?

    init(loop: EventLoop, configuration: RedisConfiguration, logger: Logger) {
        loop.assertInEventLoop()
        self.loop = loop
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "redis"] = "\(configuration.url)"  // the URL's description hides the password
        self.logger = logger
        backoff = ReconnectBackoff(configuration: configuration.reconnect)
        timer = LoopTimer(loop: loop) { [weak self] in self?.timerFired() }
    }

    deinit {
        // Dropped without close(): still release the socket and timer so the loop can end.
        if state != .closed { releaseResources() }
    }

    /// Starts the first attempt; later calls do nothing.
    func start() {
        loop.assertInEventLoop()
        guard !started, state != .closed else { return }
        started = true
        connectNow()
    }

    /// Commands waiting for their replies on the current connection.
    var pendingCommands: Int { socket?.pending ?? 0 }

    /// Sends a command when connected; otherwise, or when too many are pending, fails it at once.
    func send<Argument: Collection<UInt8>>(_ arguments: [Argument], completion: @escaping Completion) {
        loop.assertInEventLoop()
        guard state == .connected, let socket else {
            return completion(.failure(state == .closed ? .clientClosed : .notConnected))
        }
        guard socket.pending < configuration.maximumPendingCommands else {
            return completion(.failure(.tooManyPendingCommands(configuration.maximumPendingCommands)))
        }
        if !socket.send(arguments, completion: completion) {
            completion(.failure(.notConnected))
        }
    }

    /// Fails pending commands with `clientClosed`, closes every handle, and stops reconnecting.
    func close() {
        loop.assertInEventLoop()
        guard state != .closed else { return }
        state = .closed
        releaseResources()
        logger.debug("Redis connection closed")
        let onStateChange = self.onStateChange
        self.onStateChange = nil
        prepare = nil
        onStateChange?(.closed)
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

    private func connectNow() {
        attempt += 1
        setState(.connecting)
        timer?.start(after: configuration.connectTimeout)
        let url = configuration.url
        // hiredis would call getaddrinfo itself, on the loop thread, where a slow DNS server would
        // stall every request: names are looked up first and hiredis only ever sees a number.
        if AddressLookup.isNumeric(url.host) {
            return open(address: url.host)
        }
        // The lookup of an earlier attempt that timed out may still hold one of libuv's few pool
        // threads (a lookup cannot be cancelled once a thread has it): wait for its answer rather
        // than start another beside it, so a DNS server that hangs cannot fill the pool.
        guard lookup == nil else { return }
        lookup = AddressLookup.start(loop: loop, host: url.host, port: url.port) { [weak self] result in
            guard let self else { return }
            self.lookup = nil
            // While disconnected (backing off) the answer is dropped; the next attempt asks again.
            guard self.state == .connecting else { return }
            switch result {
            case .success(let addresses): self.open(address: addresses[0].host)
            case .failure(let failure): self.attemptFailed(.resolveFailed("\(failure.host): \(failure.reason)"))
            }
        }
    }

    private func open(address: String) {
        logger.debug("connecting to Redis", metadata: ["address": "\(address)"])
        let socket: RedisSocket
        switch RedisSocket.connect(loop: loop, address: address, port: configuration.url.port) {
        case .failure(let error): return attemptFailed(error)
        case .success(let opened): socket = opened
        }
        self.socket = socket
        let current = attempt
        socket.onEnd = { [weak self] reason in self?.socketEnded(current, reason) }
        // Pipelined behind the connect: hiredis sends them as soon as the socket is writable, and
        // Redis answers in order, so nothing of the caller's can overtake them.
        let commands = handshakeCommands()
        for (index, command) in commands.enumerated() {
            let last = index == commands.count - 1
            _ = socket.send(command.map(\.utf8)) { [weak self] result in
                self?.handshakeReplied(result, current, last: last)
            }
        }
    }

    private func handshakeCommands() -> [[String]] {
        let url = configuration.url
        var commands: [[String]] = []
        if let password = url.password {
            commands.append(url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if url.database != 0 { commands.append(["SELECT", String(url.database)]) }
        commands.append(["PING"])
        return commands
    }

    private func handshakeReplied(_ result: Result<RedisReply, RedisError>, _ attempt: Int, last: Bool) {
        guard let socket = currentSocket(attempt), state == .connecting else { return }
        switch result {
        case .failure(.errorReply(let message)): socket.abort(.handshakeFailed(message))
        case .failure: break  // the connection ended; its end is reported on its own
        case .success:
            guard last else { return }
            guard let prepare else { return becomeConnected() }
            prepare(socket) { [weak self] error in self?.prepared(error, attempt) }
        }
    }

    private func prepared(_ error: RedisError?, _ attempt: Int) {
        guard let socket = currentSocket(attempt), state == .connecting else { return }
        if let error { return socket.abort(error) }
        becomeConnected()
    }

    private func becomeConnected() {
        backoff.reset()
        lastError = nil
        lastLoggedError = nil
        let tick = min(Duration.seconds(1), configuration.commandTimeout / 2)
        timer?.start(after: tick, repeating: tick)
        logger.info("connected to Redis")
        setState(.connected)
    }

    /// The socket of `attempt` if that is still the current attempt and its socket is still usable.
    private func currentSocket(_ attempt: Int) -> RedisSocket? {
        guard attempt == self.attempt, let socket, socket.isUsable else { return nil }
        return socket
    }

    private func socketEnded(_ attempt: Int, _ reason: RedisError) {
        guard attempt == self.attempt, socket != nil else { return }
        socket = nil
        guard state != .closed else { return }
        attemptFailed(reason)
    }

    private func attemptFailed(_ reason: RedisError) {
        let wasConnected = state == .connected
        lastError = reason
        let delay = backoff.nextDelay()
        let metadata: Logger.Metadata = ["retry_in": "\(delay.shortText)"]
        if wasConnected {
            logger.warning("lost the Redis connection: \(reason)", metadata: metadata)
        } else if reason != lastLoggedError {
            // Repeats of the same failure every retry would flood the log while Redis is down.
            logger.warning("\(reason)", metadata: metadata)
        } else {
            logger.debug("\(reason)", metadata: metadata)
        }
        lastLoggedError = reason
        timer?.start(after: delay)
        setState(.disconnected)
    }

    private func timerFired() {
        switch state {
        case .disconnected:
            connectNow()
        case .connecting:
            let reason = RedisError.timedOut(
                "not connected within \(configuration.connectTimeout.shortText)")
            if let socket { return socket.abort(reason) }
            // Still resolving: the lookup goes on, and the next attempt takes its answer.
            attemptFailed(reason)
        case .connected:
            // Replies come back in order, so no reply for this long means Redis (or the path to it)
            // hangs: drop the connection rather than let callers wait forever.
            guard let socket, socket.pending > 0 else { return }
            let waited = loop.nowMilliseconds &- socket.lastProgress
            if waited >= configuration.commandTimeout.milliseconds {
                socket.abort(.timedOut("no reply for \(waited) ms"))
            }
        case .closed:
            break
        }
    }

    private func setState(_ newState: RedisConnectionState) {
        guard newState != state else { return }
        state = newState
        onStateChange?(newState)
    }
}

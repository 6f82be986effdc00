/// The rules of a Redis connection that keeps itself up, without its socket: attempts, the
/// handshake, the one timer (connect deadline, reply watchdog, backoff delay), reconnecting, and
/// which failures are worth a warning.
///
/// Pure: `RedisConnection` feeds it events (a lookup's answer, a handshake reply, the socket
/// ending, the timer) and carries out the actions it returns, so every rule is tested without
/// sockets. Attempts are numbered; an event that carries an older attempt's number is ignored.
struct RedisConnectionStateMachine {
    /// How a new attempt reaches an address.
    enum Route: Equatable {
        /// The host is a number: open it at once (hiredis never resolves names on the loop).
        case open(address: String)
        /// Start a name lookup.
        case lookUp
        /// An earlier attempt's lookup still holds one of libuv's few pool threads: wait for its
        /// answer rather than start another beside it, so a DNS server that hangs cannot fill the pool.
        case awaitLookup
    }

    /// How a failure is logged before the retry.
    enum FailureLog: Equatable {
        /// A working connection was lost.
        case lostConnection
        /// A new kind of failure: a warning.
        case warning
        /// The same failure as last time: debug only, or a Redis that is down would flood the log.
        case repeated
    }

    enum Action: Equatable {
        case none
        /// A new attempt: start the connect deadline, then go by `route`.
        case connect(attempt: Int, route: Route)
        /// The lookup answered: open this address.
        case open(address: String)
        /// End the current socket with this reason (it reports its end, which fails the attempt).
        case abortSocket(RedisError)
        /// The handshake succeeded: run the caller's preparation (a subscriber subscribes).
        case prepare(attempt: Int)
        /// Connected: start the reply watchdog, ticking every `tick`.
        case connected(tick: Duration)
        /// The attempt failed or the connection was lost: log it as said, retry after `delay`.
        case retry(after: Duration, reason: RedisError, log: FailureLog)
        /// Release the socket, the lookup and the timer.
        case release
    }

    let configuration: RedisConfiguration
    private(set) var state = RedisConnectionState.disconnected
    /// Why the last attempt failed or the last connection ended; nil while connected.
    private(set) var lastError: RedisError?
    private(set) var attempt = 0
    private(set) var hasSocket = false
    private(set) var lookupInFlight = false
    private var started = false
    private var backoff: ReconnectBackoff
    private var lastLoggedError: RedisError?

    init(configuration: RedisConfiguration, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        backoff = ReconnectBackoff(configuration: configuration.reconnect, random: random)
    }

    /// AUTH (when the URL has a password), SELECT (unless database 0), then PING, so that
    /// "connected" means Redis answers. Pipelined behind the connect.
    var handshakeCommands: [[String]] {
        let url = configuration.url
        var commands: [[String]] = []
        if let password = url.password {
            commands.append(url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if url.database != 0 { commands.append(["SELECT", String(url.database)]) }
        commands.append(["PING"])
        return commands
    }

    /// The first attempt; later calls do nothing.
    mutating func start() -> Action {
        guard !started, state != .closed else { return .none }
        started = true
        return connectNow()
    }

    private mutating func connectNow() -> Action {
        attempt += 1
        state = .connecting
        let host = configuration.url.host
        if AddressLookup.isNumeric(host) { return .connect(attempt: attempt, route: .open(address: host)) }
        guard !lookupInFlight else { return .connect(attempt: attempt, route: .awaitLookup) }
        lookupInFlight = true
        return .connect(attempt: attempt, route: .lookUp)
    }

    /// The name lookup answered (with its first address, or why it failed).
    mutating func lookupFinished(_ result: Result<String, RedisError>) -> Action {
        lookupInFlight = false
        // While disconnected (backing off) the answer is dropped; the next attempt asks again.
        guard state == .connecting else { return .none }
        switch result {
        case .success(let address): return .open(address: address)
        case .failure(let reason): return attemptFailed(reason)
        }
    }

    /// The socket of the current attempt could not be opened.
    mutating func openFailed(_ reason: RedisError) -> Action {
        attemptFailed(reason)
    }

    /// The socket of the current attempt is open; the handshake is on its way.
    mutating func socketOpened() {
        hasSocket = true
    }

    /// A handshake command of `attempt` answered; `last` for the PING. `preparing`: the caller
    /// has a preparation step to run before the connection counts as connected.
    mutating func handshakeReplied(
        _ result: Result<RedisReply, RedisError>, attempt: Int, last: Bool, preparing: Bool
    ) -> Action {
        guard attempt == self.attempt, hasSocket, state == .connecting else { return .none }
        switch result {
        case .failure(.errorReply(let message)): return .abortSocket(.handshakeFailed(message))
        case .failure: return .none  // the connection ended; its end is reported on its own
        case .success:
            guard last else { return .none }
            return preparing ? .prepare(attempt: attempt) : becomeConnected()
        }
    }

    /// The caller's preparation of `attempt` finished, with nil or why it failed.
    mutating func prepared(_ error: RedisError?, attempt: Int) -> Action {
        guard attempt == self.attempt, hasSocket, state == .connecting else { return .none }
        if let error { return .abortSocket(error) }
        return becomeConnected()
    }

    private mutating func becomeConnected() -> Action {
        backoff.reset()
        lastError = nil
        lastLoggedError = nil
        state = .connected
        return .connected(tick: min(Duration.seconds(1), configuration.commandTimeout / 2))
    }

    /// The socket of `attempt` ended (failed to connect, dropped, or aborted).
    mutating func socketEnded(_ reason: RedisError, attempt: Int) -> Action {
        guard attempt == self.attempt, hasSocket else { return .none }
        hasSocket = false
        guard state != .closed else { return .none }
        return attemptFailed(reason)
    }

    private mutating func attemptFailed(_ reason: RedisError) -> Action {
        let log: FailureLog =
            state == .connected ? .lostConnection : reason != lastLoggedError ? .warning : .repeated
        lastError = reason
        lastLoggedError = reason
        state = .disconnected
        return .retry(after: backoff.nextDelay(), reason: reason, log: log)
    }

    /// The timer fired. `pending` commands wait on the socket, the oldest for `waitedMilliseconds`
    /// without any reply.
    mutating func timerFired(pending: Int, waitedMilliseconds: UInt64) -> Action {
        switch state {
        case .disconnected:
            return connectNow()
        case .connecting:
            let reason = RedisError.timedOut(
                "not connected within \(configuration.connectTimeout.shortText)")
            if hasSocket { return .abortSocket(reason) }
            // Still resolving: the lookup goes on, and the next attempt takes its answer.
            return attemptFailed(reason)
        case .connected:
            // Replies come back in order, so no reply for this long means Redis (or the path to it)
            // hangs: drop the connection rather than let callers wait forever.
            guard pending > 0, waitedMilliseconds >= configuration.commandTimeout.milliseconds else { return .none }
            return .abortSocket(.timedOut("no reply for \(waitedMilliseconds) ms"))
        case .closed:
            return .none
        }
    }

    /// `close()`: final.
    mutating func close() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        hasSocket = false
        return .release
    }
}

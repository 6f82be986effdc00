import Testing

@testable import HashrCore

/// The Redis connection's rules without a socket: attempts, handshake, timer, backoff, logging.
@Suite struct RedisConnectionStateMachineTests {
    typealias Machine = RedisConnectionStateMachine

    /// No jitter: delays are 100, 200, 400 ms... up to 1 s.
    func machine(host: String = "127.0.0.1", password: String? = nil, database: Int = 0) -> Machine {
        let configuration = RedisConfiguration(
            url: RedisURL(host: host, port: 6380, password: password, database: database),
            connectTimeout: .seconds(3), commandTimeout: .seconds(4),
            reconnect: .init(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5))
        return Machine(configuration: configuration, random: { 0 })
    }

    /// Runs a numeric-host machine through a successful handshake.
    func connected() -> Machine {
        var machine = machine()
        _ = machine.start()
        machine.socketOpened()
        do { let actual = machine.handshakeReplied(.success(.status("PONG")), attempt: 1, last: true, preparing: false); #expect(actual == .connected(tick: .seconds(1))) }
        return machine
    }

    @Test func aNumericHostIsOpenedAtOnceAndStartsOnce() {
        var machine = machine()
        #expect(machine.state == .disconnected)
        do { let actual = machine.start(); #expect(actual == .connect(attempt: 1, route: .open(address: "127.0.0.1"))) }
        #expect(machine.state == .connecting)
        do { let actual = machine.start(); #expect(actual == .none) }
    }

    @Test func aNameIsLookedUpAndAHangingLookupIsNotDoubled() {
        var machine = machine(host: "redis.example")
        do { let actual = machine.start(); #expect(actual == .connect(attempt: 1, route: .lookUp)) }
        // The connect deadline passes while the lookup hangs.
        guard case .retry(_, let reason, .warning) = machine.timerFired(pending: 0, waitedMilliseconds: 0) else {
            Issue.record("expected a retry")
            return
        }
        #expect(reason == .timedOut("not connected within 3s") || reason.description.contains("timed out"))
        #expect(machine.state == .disconnected)
        // The next attempt waits for the same lookup, and takes its answer.
        do { let actual = machine.timerFired(pending: 0, waitedMilliseconds: 0); #expect(actual == .connect(attempt: 2, route: .awaitLookup)) }
        do { let actual = machine.lookupFinished(.success("10.0.0.7")); #expect(actual == .open(address: "10.0.0.7")) }
        #expect(!machine.lookupInFlight)
    }

    @Test func aLookupAnswerWhileBackingOffIsDropped() {
        var machine = machine(host: "redis.example")
        _ = machine.start()
        _ = machine.timerFired(pending: 0, waitedMilliseconds: 0)
        do { let actual = machine.lookupFinished(.success("10.0.0.7")); #expect(actual == .none) }
        // Now a new lookup is started.
        do { let actual = machine.timerFired(pending: 0, waitedMilliseconds: 0); #expect(actual == .connect(attempt: 2, route: .lookUp)) }
        guard case .retry(_, .resolveFailed("no such host"), _) = machine.lookupFinished(.failure(.resolveFailed("no such host"))) else {
            Issue.record("expected a retry after the failed lookup")
            return
        }
    }

    @Test func handshakeCommandsFollowTheURL() {
        #expect(machine().handshakeCommands == [["PING"]])
        #expect(machine(password: "secret", database: 3).handshakeCommands == [["AUTH", "secret"], ["SELECT", "3"], ["PING"]])
        let named = Machine(configuration: RedisConfiguration(url: RedisURL(host: "h", username: "u", password: "p")))
        #expect(named.handshakeCommands == [["AUTH", "u", "p"], ["PING"]])
    }

    @Test func handshakeRepliesDecideTheAttempt() {
        var machine = machine(password: "wrong")
        _ = machine.start()
        machine.socketOpened()
        do { let actual = machine.handshakeReplied(.failure(.errorReply("WRONGPASS")), attempt: 1, last: false, preparing: false); #expect(actual == .abortSocket(.handshakeFailed("WRONGPASS"))) }
        // A reply that only says the connection ended waits for the end itself.
        do { let actual = machine.handshakeReplied(.failure(.connectionLost("reset")), attempt: 1, last: true, preparing: false); #expect(actual == .none) }
        do { let actual = machine.handshakeReplied(.success(.status("OK")), attempt: 1, last: false, preparing: false); #expect(actual == .none) }
        // An older attempt's reply is ignored.
        do { let actual = machine.handshakeReplied(.success(.status("PONG")), attempt: 0, last: true, preparing: false); #expect(actual == .none) }
        #expect(machine.state == .connecting)
    }

    @Test func aSubscriberPreparesBeforeItCountsAsConnected() {
        var machine = machine()
        _ = machine.start()
        machine.socketOpened()
        do { let actual = machine.handshakeReplied(.success(.status("PONG")), attempt: 1, last: true, preparing: true); #expect(actual == .prepare(attempt: 1)) }
        #expect(machine.state == .connecting)
        do { let actual = machine.prepared(.errorReply("NOPERM"), attempt: 1); #expect(actual == .abortSocket(.errorReply("NOPERM"))) }
        do { let actual = machine.prepared(nil, attempt: 1); #expect(actual == .connected(tick: .seconds(1))) }
        #expect(machine.state == .connected)
        do { let actual = machine.prepared(nil, attempt: 1); #expect(actual == .none) }
    }

    @Test func failuresBackOffAndRepeatsAreLoggedQuietly() {
        var machine = machine()
        _ = machine.start()
        do { let actual = machine.openFailed(.connectFailed("refused")); #expect(actual == .retry(after: .milliseconds(100), reason: .connectFailed("refused"), log: .warning)) }
        #expect(machine.lastError == .connectFailed("refused"))
        do { let actual = machine.timerFired(pending: 0, waitedMilliseconds: 0); #expect(actual == .connect(attempt: 2, route: .open(address: "127.0.0.1"))) }
        do { let actual = machine.openFailed(.connectFailed("refused")); #expect(actual == .retry(after: .milliseconds(200), reason: .connectFailed("refused"), log: .repeated)) }
        _ = machine.timerFired(pending: 0, waitedMilliseconds: 0)
        machine.socketOpened()
        do { let actual = machine.socketEnded(.connectionLost("reset"), attempt: 3); #expect(actual == .retry(after: .milliseconds(400), reason: .connectionLost("reset"), log: .warning)) }
    }

    @Test func aLostConnectionIsAWarningAndBackoffStartsOver() {
        var machine = connected()
        #expect(machine.lastError == nil)
        do { let actual = machine.socketEnded(.connectionLost("closed"), attempt: 1); #expect(actual == .retry(after: .milliseconds(100), reason: .connectionLost("closed"), log: .lostConnection)) }
        #expect(machine.state == .disconnected)
        // A second end of the same socket is not counted again.
        do { let actual = machine.socketEnded(.connectionLost("closed"), attempt: 1); #expect(actual == .none) }
    }

    @Test func theWatchdogDropsAConnectionWithoutReplies() {
        var machine = connected()
        do { let actual = machine.timerFired(pending: 0, waitedMilliseconds: 60_000); #expect(actual == .none) }
        do { let actual = machine.timerFired(pending: 3, waitedMilliseconds: 3_999); #expect(actual == .none) }
        do { let actual = machine.timerFired(pending: 3, waitedMilliseconds: 4_000); #expect(actual == .abortSocket(.timedOut("no reply for 4000 ms"))) }
    }

    @Test func aConnectDeadlineWithASocketAbortsIt() {
        var machine = machine()
        _ = machine.start()
        machine.socketOpened()
        guard case .abortSocket(.timedOut) = machine.timerFired(pending: 1, waitedMilliseconds: 0) else {
            Issue.record("expected the socket to be aborted")
            return
        }
        #expect(machine.state == .connecting)
    }

    @Test func closeIsFinal() {
        var machine = connected()
        do { let actual = machine.close(); #expect(actual == .release) }
        #expect(machine.state == .closed)
        do { let actual = machine.close(); #expect(actual == .none) }
        do { let actual = machine.start(); #expect(actual == .none) }
        do { let actual = machine.socketEnded(.clientClosed, attempt: 1); #expect(actual == .none) }
        do { let actual = machine.timerFired(pending: 1, waitedMilliseconds: 10_000); #expect(actual == .none) }
        var fresh = self.machine()
        _ = fresh.close()
        do { let actual = fresh.start(); #expect(actual == .none) }
    }
}

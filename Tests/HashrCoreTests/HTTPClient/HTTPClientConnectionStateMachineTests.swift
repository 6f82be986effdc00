import CLibUV
import Testing

@testable import HashrCore

/// The client connection's decisions, event by event, without sockets.
@Suite struct HTTPClientConnectionStateMachineTests {
    typealias Machine = HTTPClientConnectionStateMachine

    static func address(_ host: String, _ port: Int) -> SocketAddress {
        var raw = sockaddr_in()
        uv_ip4_addr(host, Int32(port), &raw)
        return withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: MemoryLayout<sockaddr_in>.size)! }
        }
    }

    let first = address("10.0.0.1", 80)
    let second = address("10.0.0.2", 80)
    let get = Machine.RequestFacts(timeout: .seconds(2), isIdempotent: true, asksToClose: false)
    let post = Machine.RequestFacts(timeout: .seconds(3), isIdempotent: false, asksToClose: false)
    let eof = UVError(code: UVError.endOfFile, operation: "read")
    let reset = UVError(code: UV_ECONNRESET.rawValue, operation: "read")

    /// A plain connection that has answered one request and is idle.
    func idleMachine() -> Machine {
        var machine = Machine(usesTLS: false, bodyLimit: 100)
        _ = machine.open(get)
        _ = machine.resolved([first])
        _ = machine.connected()
        _ = machine.bytesReceived()
        _ = machine.responseHead(status: 200, keepAlive: true)
        #expect(machine.responseEnded(bufferedBytes: 0) == .succeed(reusable: true))
        return machine
    }

    @Test func aNewConnectionResolvesConnectsAndSends() {
        var machine = Machine(usesTLS: false, bodyLimit: 100)
        #expect(machine.open(get) == .resolve(timeout: .seconds(2)))
        #expect(machine.phase == .resolving && machine.isBusy)
        #expect(machine.resolved([first, second]) == .connect(first))
        #expect(machine.connected() == .sendRequest(timeout: nil))
        #expect(machine.phase == .inFlight)
        #expect(machine.bytesReceived() == .parse)
        #expect(machine.responseHead(status: 200, keepAlive: true) == .acceptHead)
        #expect(machine.responseEnded(bufferedBytes: 0) == .succeed(reusable: true))
        #expect(machine.phase == .idle && !machine.isBusy && machine.completedRequests == 1)
    }

    @Test func aTLSConnectionHandshakesBeforeSending() {
        var machine = Machine(usesTLS: true, bodyLimit: 100)
        _ = machine.open(get)
        _ = machine.resolved([first])
        #expect(machine.connected() == .startTLS)
        #expect(machine.phase == .handshaking)
        // Handshake bytes are the session's business, not the response's.
        #expect(machine.bytesReceived() == .none)
        #expect(machine.tlsEstablished() == .sendRequest(timeout: nil))
        #expect(machine.phase == .inFlight)
    }

    @Test func handshakeFailuresAndAnEarlyCloseFailTheRequest() {
        var failed = Machine(usesTLS: true, bodyLimit: 100)
        _ = failed.open(get)
        _ = failed.resolved([first])
        _ = failed.connected()
        #expect(failed.tlsFailed(.hostNameMismatch(host: "x")) == .fail(.hostNameMismatch(host: "x"), retry: false))
        #expect(failed.phase == .closed)

        var closed = Machine(usesTLS: true, bodyLimit: 100)
        _ = closed.open(get)
        _ = closed.resolved([first])
        _ = closed.connected()
        #expect(
            closed.peerClosed(eof)
                == .fail(.tlsFailed(reason: "the server closed the connection during the handshake"), retry: false))
    }

    @Test func eachAddressIsTriedBeforeConnectingFails() {
        var machine = Machine(usesTLS: false, bodyLimit: 100)
        _ = machine.open(post)
        _ = machine.resolved([first, second])
        let refused = UVError(code: UVError.connectionRefused, operation: "connect")
        #expect(machine.connectFailed(refused) == .connect(second))
        #expect(machine.connectFailed(refused) == .fail(.connectionRefused(address: "10.0.0.2:80"), retry: false))
        #expect(machine.phase == .closed)

        var other = Machine(usesTLS: false, bodyLimit: 100)
        _ = other.open(post)
        _ = other.resolved([first])
        let unreachable = UVError(code: UV_EHOSTUNREACH.rawValue, operation: "connect")
        #expect(
            other.connectFailed(unreachable)
                == .fail(.connectFailed(address: "10.0.0.1:80", reason: unreachable.message), retry: false))
    }

    @Test func aFailedLookupFailsTheRequest() {
        var machine = Machine(usesTLS: false, bodyLimit: 100)
        _ = machine.open(get)
        #expect(machine.resolveFailed(host: "h", reason: "r") == .fail(.resolveFailed(host: "h", reason: "r"), retry: false))
        // Whatever comes late is ignored.
        #expect(machine.resolved([first]) == .none)
        #expect(machine.connected() == .none)
        #expect(machine.timerFired() == .none)
        #expect(machine.closeRequested(failing: .closed) == .none)
    }

    @Test func theTimerFailsARequestInAnyPhaseAndClosesAnIdleConnection() {
        for steps in 0..<4 {
            var machine = Machine(usesTLS: true, bodyLimit: 100)
            _ = machine.open(post)
            if steps > 0 { _ = machine.resolved([first]) }
            if steps > 1 { _ = machine.connected() }
            if steps > 2 { _ = machine.tlsEstablished() }
            #expect(machine.timerFired() == .fail(.timeout(after: .seconds(3)), retry: false), "after \(steps) steps")
            #expect(machine.phase == .closed)
        }
        var idle = idleMachine()
        #expect(idle.timerFired() == .close)
    }

    @Test func aReusedConnectionStartsTheTimerPerRequest() {
        var machine = idleMachine()
        #expect(machine.send(post) == .sendRequest(timeout: .seconds(3)))
        #expect(machine.phase == .inFlight)
    }

    @Test func interimResponsesAreSkipped() {
        var machine = idleMachine()
        _ = machine.send(get)
        _ = machine.bytesReceived()
        #expect(machine.responseHead(status: 100, keepAlive: true) == .none)
        #expect(machine.responseEnded(bufferedBytes: 0) == .none)
        #expect(machine.responseHead(status: 204, keepAlive: true) == .acceptHead)
        #expect(machine.responseEnded(bufferedBytes: 0) == .succeed(reusable: true))
    }

    @Test func aConnectionIsReusedOnlyWhenBothSidesKeepItAndNothingIsLeftOver() {
        let cases: [(keepAlive: Bool, asksToClose: Bool, buffered: Int, reusable: Bool)] = [
            (true, false, 0, true), (false, false, 0, false), (true, true, 0, false), (true, false, 5, false),
        ]
        for item in cases {
            var machine = idleMachine()
            _ = machine.send(.init(timeout: .seconds(1), isIdempotent: true, asksToClose: item.asksToClose))
            _ = machine.bytesReceived()
            _ = machine.responseHead(status: 200, keepAlive: item.keepAlive)
            #expect(machine.responseEnded(bufferedBytes: item.buffered) == .succeed(reusable: item.reusable), "\(item)")
            #expect(machine.phase == (item.reusable ? .idle : .closed))
        }
    }

    @Test func bytesOnAnIdleConnectionCloseIt() {
        var machine = idleMachine()
        #expect(machine.bytesReceived() == .close)
        #expect(machine.phase == .closed)
    }

    @Test func aBodyMayEndAtTheClose() {
        var machine = idleMachine()
        _ = machine.send(get)
        _ = machine.bytesReceived()
        _ = machine.responseHead(status: 200, keepAlive: false)
        #expect(machine.peerClosed(eof) == .finishBodyAtClose)
        #expect(machine.responseEnded(bufferedBytes: 0) == .succeed(reusable: false))

        var cut = idleMachine()
        _ = cut.send(get)
        _ = cut.bytesReceived()
        _ = cut.responseHead(status: 200, keepAlive: true)
        #expect(cut.peerClosed(eof) == .finishBodyAtClose)
        #expect(cut.bodyCutOff() == .fail(.connectionReset(reason: "closed by the server before the response"), retry: false))
    }

    @Test func aReusedConnectionClosedBeforeAnyByteRetriesOnlyIdempotentRequests() {
        var idempotent = idleMachine()
        _ = idempotent.send(get)
        #expect(
            idempotent.peerClosed(eof)
                == .fail(.connectionReset(reason: "closed by the server before the response"), retry: true))

        var notIdempotent = idleMachine()
        _ = notIdempotent.send(post)
        #expect(
            notIdempotent.peerClosed(eof)
                == .fail(.connectionReset(reason: "closed by the server before the response"), retry: false))

        // Part of the answer came: the server did see the request.
        var partial = idleMachine()
        _ = partial.send(get)
        _ = partial.bytesReceived()
        #expect(partial.peerClosed(reset) == .fail(.connectionReset(reason: reset.message), retry: false))

        // A new connection has no idle timeout to blame.
        var fresh = Machine(usesTLS: false, bodyLimit: 100)
        _ = fresh.open(get)
        _ = fresh.resolved([first])
        _ = fresh.connected()
        #expect(fresh.peerClosed(eof) == .fail(.connectionReset(reason: "closed by the server before the response"), retry: false))
    }

    @Test func anIdleConnectionClosedByThePeerJustCloses() {
        var machine = idleMachine()
        #expect(machine.peerClosed(eof) == .close)
        #expect(machine.peerClosed(eof) == .none)
    }

    @Test func parserFailuresNameTheLimit() {
        var machine = idleMachine()
        _ = machine.send(get)
        _ = machine.bytesReceived()
        #expect(machine.parseFailed(.payloadTooLarge) == .fail(.responseTooLarge(limit: 100), retry: false))

        var bad = idleMachine()
        _ = bad.send(get)
        _ = bad.bytesReceived()
        #expect(bad.parseFailed(.badRequest("x")) == .fail(.badResponse("bad request: x"), retry: false))
    }

    @Test func writeFailuresAndClosingFailTheRequestOnce() {
        var machine = idleMachine()
        _ = machine.send(post)
        let broken = UVError(code: UV_EPIPE.rawValue, operation: "write")
        #expect(machine.writeFailed(broken) == .fail(.connectionReset(reason: broken.message), retry: false))
        #expect(machine.writeFailed(broken) == .none)

        var closing = idleMachine()
        _ = closing.send(post)
        #expect(closing.closeRequested(failing: .closed) == .fail(.closed, retry: false))
        #expect(closing.closeRequested(failing: .closed) == .none)
        var idle = idleMachine()
        #expect(idle.closeRequested(failing: .closed) == .close)
    }
}

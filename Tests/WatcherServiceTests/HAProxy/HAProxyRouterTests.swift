import HashrTestSupport
import Testing

@testable import WatcherService

#if canImport(Glibc)
    import Glibc
#endif

/// The haproxy router against a real HAProxy: weights really change, and traffic really moves.
/// Every router call is a blocking TCP exchange, so it runs off the cooperative pool.
@Suite(.timeLimit(.minutes(1))) struct HAProxyRouterTests {

    @Test func readsTheStartingWeights() async throws {
        let haproxy = try await HAProxyInstance.started(primaryWeight: 100, burstWeight: 0)
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try await OffThePool.run { try router.readWeights() } == SubsetWeights(primary: 100, burst: 0))
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 0)
        #expect(try await haproxy.traffic(4) == ["primary": 4])
    }

    @Test func movesAllTrafficToBurstAndBack() async throws {
        let haproxy = try await HAProxyInstance.started()
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(
            try await OffThePool.run { try router.apply(burstWeight: 100, reason: "busy") }
                == RouterChange(changed: true))
        #expect(try await haproxy.runtime("get weight worker/burst\n") == "100 (initial 0)\n\n")
        #expect(try await haproxy.runtime("get weight worker/primary\n") == "0 (initial 100)\n\n")
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 100)
        #expect(try await haproxy.traffic(6) == ["burst": 6])
        #expect(try await OffThePool.run { try router.apply(burstWeight: 100, reason: "still busy") } == .unchanged)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 0, reason: "idle") }.changed)
        #expect(try await OffThePool.run { try router.readWeights() } == SubsetWeights(primary: 100, burst: 0))
        #expect(try await haproxy.traffic(6) == ["primary": 6])
    }

    @Test func splitsTrafficInOverflowMode() async throws {
        let haproxy = try await HAProxyInstance.started()
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try await OffThePool.run { try router.apply(burstWeight: 30, reason: "overflow") }.changed)
        #expect(try await OffThePool.run { try router.readWeights() } == SubsetWeights(primary: 70, burst: 30))
        let answers = try await haproxy.traffic(20)
        #expect(answers["primary", default: 0] + answers["burst", default: 0] == 20)
        #expect((12...16).contains(answers["primary", default: 0]), "\(answers)")
    }

    @Test func readsHandWrittenWeightsAsAShare() async throws {
        let haproxy = try await HAProxyInstance.started(primaryWeight: 200, burstWeight: 56)
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try await OffThePool.run { try router.readBurstWeight() } == 22)
    }

    @Test func unknownNamesAreHAProxysOwnErrors() async throws {
        let haproxy = try await HAProxyInstance.started()
        var configuration = haproxy.configuration
        configuration.backend = "workers"
        let noBackend = HAProxyRouter(configuration: configuration)
        #expect(
            try await routerError { _ = try noBackend.readBurstWeight() }
                == RouterError(.refused, "HAProxy could not tell the weight of workers/primary: No such backend."))
        configuration.backend = "worker"
        configuration.burstServer = "cloud"
        let noServer = HAProxyRouter(configuration: configuration)
        #expect(
            try await routerError { _ = try noServer.apply(burstWeight: 100, reason: "x") }?.message
                == "HAProxy could not tell the weight of worker/cloud: No such server.")
    }

    @Test func nothingListeningIsAClearError() async throws {
        let port = FreePort.take()
        let router = HAProxyRouter(configuration: HAProxyRouterConfiguration(port: port, timeout: .seconds(2)))
        let error = try await routerError { _ = try router.readBurstWeight() }
        #expect(error?.message == "connecting to 127.0.0.1:\(port) failed: Connection refused")
        #expect(error?.kind == .unreachable)
        #expect(router.target == "HAProxy backend worker at 127.0.0.1:\(port)")
    }

    @Test func aSilentPeerTimesOut() async throws {
        // A listening socket that never accepts: the connection completes, no answer ever comes.
        let (listener, port) = try LoopbackSocket.bound(listening: 4)
        defer { close(listener) }
        let error = try await routerError {
            _ = try BlockingTCPExchange(host: "127.0.0.1", port: port, timeout: .milliseconds(300)).exchange(
                "get weight a/b\n")
        }
        // The message names the 300 ms read timeout that fired: no wall-clock bound needed (a busy
        // machine may take seconds to run the thread that waits).
        #expect(error?.message == "timed out reading from 127.0.0.1:\(port) after 300ms")
    }

    @Test func unresolvableHostsAreClearErrors() async throws {
        let error = try await routerError {
            _ = try BlockingTCPExchange(host: "no-such-host.invalid", port: 1, timeout: .seconds(2)).exchange("x\n")
        }
        #expect(error?.message.hasPrefix("cannot resolve no-such-host.invalid:") == true, "\(error?.message ?? "")")
    }
}

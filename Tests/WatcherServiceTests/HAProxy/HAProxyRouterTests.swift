import HashrTestSupport
import Testing

@testable import WatcherService

#if canImport(Glibc)
    import Glibc
#endif

/// The haproxy router against a real HAProxy: weights really change, and traffic really moves.
@Suite(.timeLimit(.minutes(1))) struct HAProxyRouterTests {

    @Test func readsTheStartingWeights() async throws {
        let haproxy = try await HAProxyInstance.started(primaryWeight: 100, burstWeight: 0)
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try router.readWeights() == SubsetWeights(primary: 100, burst: 0))
        #expect(try router.readBurstWeight() == 0)
        #expect(try haproxy.traffic(4) == ["primary": 4])
    }

    @Test func movesAllTrafficToBurstAndBack() async throws {
        let haproxy = try await HAProxyInstance.started()
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try router.apply(burstWeight: 100, reason: "busy") == RouterChange(changed: true))
        #expect(try haproxy.runtime("get weight worker/burst\n") == "100 (initial 0)\n\n")
        #expect(try haproxy.runtime("get weight worker/primary\n") == "0 (initial 100)\n\n")
        #expect(try router.readBurstWeight() == 100)
        #expect(try haproxy.traffic(6) == ["burst": 6])
        #expect(try router.apply(burstWeight: 100, reason: "still busy") == .unchanged)
        #expect(try router.apply(burstWeight: 0, reason: "idle").changed)
        #expect(try router.readWeights() == SubsetWeights(primary: 100, burst: 0))
        #expect(try haproxy.traffic(6) == ["primary": 6])
    }

    @Test func splitsTrafficInOverflowMode() async throws {
        let haproxy = try await HAProxyInstance.started()
        let router = HAProxyRouter(configuration: haproxy.configuration)
        #expect(try router.apply(burstWeight: 30, reason: "overflow").changed)
        #expect(try router.readWeights() == SubsetWeights(primary: 70, burst: 30))
        let answers = try haproxy.traffic(20)
        #expect(answers["primary", default: 0] + answers["burst", default: 0] == 20)
        #expect((12...16).contains(answers["primary", default: 0]), "\(answers)")
    }

    @Test func readsHandWrittenWeightsAsAShare() async throws {
        let haproxy = try await HAProxyInstance.started(primaryWeight: 200, burstWeight: 56)
        #expect(try HAProxyRouter(configuration: haproxy.configuration).readBurstWeight() == 22)
    }

    @Test func unknownNamesAreHAProxysOwnErrors() async throws {
        let haproxy = try await HAProxyInstance.started()
        var configuration = haproxy.configuration
        configuration.backend = "workers"
        #expect(
            routerErrorMessage { _ = try HAProxyRouter(configuration: configuration).readBurstWeight() }
                == "HAProxy could not tell the weight of workers/primary: No such backend.")
        configuration.backend = "worker"
        configuration.burstServer = "cloud"
        #expect(
            routerErrorMessage { _ = try HAProxyRouter(configuration: configuration).apply(burstWeight: 100, reason: "x") }
                == "HAProxy could not tell the weight of worker/cloud: No such server.")
    }

    @Test func nothingListeningIsAClearError() {
        let port = FreePort.take()
        let router = HAProxyRouter(configuration: HAProxyRouterConfiguration(port: port, timeout: .seconds(2)))
        #expect(
            routerErrorMessage { _ = try router.readBurstWeight() } == "connecting to 127.0.0.1:\(port) failed: Connection refused")
        #expect(router.target == "HAProxy backend worker at 127.0.0.1:\(port)")
    }

    @Test func aSilentPeerTimesOut() throws {
        // A listening socket that never accepts: the connection completes, no answer ever comes.
        let (listener, port) = try LoopbackSocket.bound(listening: 4)
        defer { close(listener) }
        let started = ContinuousClock.now
        let message = routerErrorMessage {
            _ = try BlockingTCPExchange(host: "127.0.0.1", port: port, timeout: .milliseconds(300)).exchange(
                "get weight a/b\n")
        }
        #expect(message == "timed out reading from 127.0.0.1:\(port) after 300ms")
        #expect(started.duration(to: .now) < .seconds(2))
    }

    @Test func unresolvableHostsAreClearErrors() {
        let message = routerErrorMessage {
            _ = try BlockingTCPExchange(host: "no-such-host.invalid", port: 1, timeout: .seconds(2)).exchange("x\n")
        }
        #expect(message?.hasPrefix("cannot resolve no-such-host.invalid:") == true, "\(message ?? "")")
    }
}

import HashrTestSupport
import Testing

@testable import WatcherService

/// The blocking TCP exchange (the core's TCPExchange on a private loop) against a real HAProxy's
/// runtime API; refusals, timeouts and unknown hosts are in HAProxyRouterTests.
@Suite(.timeLimit(.minutes(1))) struct BlockingTCPExchangeTests {
    @Test func aCommandIsAnsweredAndRepeatable() async throws {
        let haproxy = try await HAProxyInstance.started()
        let port = haproxy.configuration.port
        let answers = try await OffThePool.run {
            try (0..<3).map { _ in
                try BlockingTCPExchange(host: "localhost", port: port, timeout: .seconds(5)).exchange("get weight worker/burst\n")
            }
        }
        #expect(answers == Array(repeating: "0 (initial 0)\n\n", count: 3), "\(answers)")
    }

    @Test func anOversizedReplyIsCutOff() async throws {
        let haproxy = try await HAProxyInstance.started()
        let port = haproxy.configuration.port
        let message = try await OffThePool.run {
            routerErrorMessage {
                _ = try BlockingTCPExchange(host: "127.0.0.1", port: port, timeout: .seconds(5), maximumReplyBytes: 10)
                    .exchange("show info\n")
            }
        }
        #expect(message == "127.0.0.1:\(port) answered more than 10 bytes")
    }
}

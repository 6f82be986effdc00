import HashrTestSupport
import Testing

@testable import HashrCore

/// Binding, listening and accepting on the loop.
@Suite struct TCPListenerTests {
    /// What the loop thread holds for a test: the listener and the connections it accepted.
    private final class Accepted: @unchecked Sendable {
        var listener: TCPListener?
        var count = 0
    }

    @Test func acceptsConnectionsOnThePortItReports() async throws {
        let thread = try EventLoopThread(name: "test-listener")
        let accepted = Accepted()
        let port = try await thread.submit {
            let listener = try TCPListener(loop: thread.loop, host: "127.0.0.1", port: 0, backlog: 16) { client in
                accepted.count += 1
                client.close()
            }
            accepted.listener = listener
            return listener.port
        }
        #expect(port > 0)
        let client = try await OffThePool.run { try TestClient(port: port) }
        try await waitUntil("the connection is accepted") { try await thread.submit { accepted.count == 1 } }
        // Closed by the accept handler.
        #expect(try await client.waitForClose())

        // The port is taken now.
        await #expect(throws: UVError.self) {
            try await thread.submit { _ = try TCPListener(loop: thread.loop, host: "127.0.0.1", port: port, backlog: 16) { _ in } }
        }
        try await thread.submit {
            accepted.listener?.close()
            accepted.listener = nil
        }
        #expect(await thread.shutdown() == 0)
    }

    @Test func anInvalidAddressIsRefused() async throws {
        let thread = try EventLoopThread(name: "test-listener")
        await #expect(throws: UVError.self) {
            try await thread.submit { _ = try TCPListener(loop: thread.loop, host: "not-an-address", port: 0, backlog: 16) { _ in } }
        }
        #expect(await thread.shutdown() == 0)
    }
}

import HashrTestSupport
import Testing

@testable import HashrCore

/// A client that is dropped without `close()` (as when a test throws before its clean-up) must not
/// take its loop down: its timers outlive it until their handles close.
@Suite struct HTTPClientLifetimeTests {
    @Test func aClientDroppedWithoutCloseLeavesItsLoopRunning() async throws {
        let thread = try EventLoopThread()
        let loop = thread.loop
        let request = HTTPClientRequest(
            method: "GET", endpoint: HTTPEndpoint(host: "127.0.0.1", port: FreePort.take()), path: "/",
            timeout: .seconds(1))
        // A request makes the client's pool and its 100 ms sweep timer; then the client is dropped.
        let result = await thread.submitAsync { complete in
            HTTPClient(loop: loop).execute(request) { complete($0) }
        }
        #expect(throws: HTTPClientError.self) { try result.get() }
        // Several sweeps later the loop still runs work (it crashed here when the sweep read the
        // dropped client).
        try await Task.sleep(for: .milliseconds(350))
        #expect(try await thread.submit { 42 } == 42)
        _ = await thread.shutdown {}
    }
}

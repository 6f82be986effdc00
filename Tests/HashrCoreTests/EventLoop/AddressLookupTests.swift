import Testing

@testable import HashrCore

/// Name resolution on libuv's thread pool, shared by the HTTP client and the Redis connection.
@Suite struct AddressLookupTests {
    /// Resolves on a fresh loop thread and shuts it down again.
    private func lookUp(_ host: String, port: Int) async throws -> Result<[SocketAddress], AddressLookupFailure> {
        let thread = try EventLoopThread()
        let loop = thread.loop
        let result = await thread.submitAsync { (complete: @escaping (Result<[Resolved], AddressLookupFailure>) -> Void) in
            AddressLookup.start(loop: loop, host: host, port: port) { result in
                complete(result.map { $0.map(Resolved.init) })
            }
        }
        #expect(await thread.shutdown() == 0)
        return result.map { $0.map(\.address) }
    }

    /// `SocketAddress` holds a C struct; this carries it across to the test's task.
    private struct Resolved: @unchecked Sendable {
        let address: SocketAddress
    }

    @Test func numericHostsNeedNoLookup() {
        #expect(AddressLookup.isNumeric("127.0.0.1"))
        #expect(AddressLookup.isNumeric("::1"))
        #expect(AddressLookup.isNumeric("fd00::2:1"))
        #expect(!AddressLookup.isNumeric("localhost"))
        #expect(!AddressLookup.isNumeric("redis-cache-service"))
        #expect(!AddressLookup.isNumeric("1.2.3"))
        #expect(!AddressLookup.isNumeric(""))
    }

    @Test func localhostResolvesIPv4First() async throws {
        let addresses = try await lookUp("localhost", port: 6379).get()
        #expect(addresses.first?.host == "127.0.0.1")
        #expect(addresses.first?.port == 6379)
        #expect(addresses.first?.text == "127.0.0.1:6379")
        // Every IPv4 address comes before any IPv6 one.
        let families = addresses.map(\.isIPv4)
        #expect(families == families.sorted { $0 && !$1 })
    }

    @Test func anIPv6AddressIsWrittenInBrackets() async throws {
        let addresses = try await lookUp("::1", port: 8080).get()
        #expect(addresses.count == 1)
        #expect(addresses.first?.host == "::1")
        #expect(addresses.first?.isIPv4 == false)
        #expect(addresses.first?.text == "[::1]:8080")
    }

    @Test func anUnknownHostFailsWithItsName() async throws {
        let result = try await lookUp("no-such-host.invalid", port: 80)
        guard case .failure(let failure) = result else {
            Issue.record("no-such-host.invalid resolved: \(result)")
            return
        }
        #expect(failure.host == "no-such-host.invalid")
        #expect(!failure.reason.isEmpty)
    }

    @Test func aCancelledLookupNeverCompletesAndTheLoopClosesCleanly() async throws {
        let thread = try EventLoopThread()
        let loop = thread.loop
        let completed = Shared(false)
        try await thread.submit {
            let lookup = AddressLookup.start(loop: loop, host: "localhost", port: 1) { _ in
                completed.update { $0 = true }
            }
            lookup?.cancel()
        }
        // A second lookup, not cancelled, still completes.
        let second = await thread.submitAsync { (complete: @escaping (Bool) -> Void) in
            AddressLookup.start(loop: loop, host: "localhost", port: 2) { complete((try? $0.get()) != nil) }
        }
        #expect(second)
        // The loop runs until the cancelled request has finished too (libuv cannot cancel one a pool
        // thread already took), so by now its result was dropped, not just late.
        #expect(await thread.shutdown() == 0)
        #expect(!completed.value)
    }
}

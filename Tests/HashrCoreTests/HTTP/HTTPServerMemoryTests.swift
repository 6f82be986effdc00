import HashrTestSupport
import Testing

@testable import HashrCore

#if canImport(Glibc)
    import Glibc
#endif

/// Thousands of connections opened and closed leave nothing behind.
@Suite struct HTTPServerMemoryTests {
    /// Resident set size of this process, from /proc/self/statm.
    static func residentBytes() throws -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { throw TestClientError.errno("open /proc/self/statm") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(fd, &buffer, buffer.count)
        // "size resident shared text lib data dt", in pages.
        let fields = String(decoding: buffer[0..<max(count, 0)], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { throw TestClientError("unreadable /proc/self/statm") }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    @Test func twoThousandConnectionsLeaveMemoryFlat() async throws {
        let server = try await TestServer.start()
        func oneConnection(_ index: Int) async throws {
            let client = try server.client()
            // Half close politely, half just go away: both paths must free everything.
            let request = index % 2 == 0 ? get("/hello", "Connection: close\r\n") : get("/hello")
            #expect(try await client.exchange(request).status == 200)
            client.close()
        }
        for index in 0..<200 { try await oneConnection(index) }
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        let before = try Self.residentBytes()
        for index in 0..<2_000 { try await oneConnection(index) }
        try await waitUntil("no open connection") { try await server.connectionCount == 0 }
        let after = try Self.residentBytes()
        #expect(after - before < 20 * 1024 * 1024, "RSS grew from \(before) to \(after) bytes")
        #expect(await server.stop() == 0)
    }
}

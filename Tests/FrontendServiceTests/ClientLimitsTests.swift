import Testing

@testable import FrontendService

/// Per-address caps, with the clock in the test's hands.
@Suite struct ClientLimitsTests {
    static let second: Int64 = 1_000_000_000

    @Test func streamsAreCappedPerAddressAndFreedOnClose() {
        var limits = ClientLimits(maxStreamsPerAddress: 2, rateChangesPerMinute: 60)
        func open(_ address: String) -> Bool { limits.openStream(from: address) }
        #expect([open("10.0.0.1"), open("10.0.0.1"), open("10.0.0.1")] == [true, true, false])
        #expect(limits.streamCount(of: "10.0.0.1") == 2, "a refusal counts nothing")
        // Another address has its own allowance.
        #expect(open("10.0.0.2"))
        limits.closeStream(from: "10.0.0.1")
        #expect(open("10.0.0.1"))
        limits.closeStream(from: "10.0.0.1")
        limits.closeStream(from: "10.0.0.1")
        #expect(limits.streamCount(of: "10.0.0.1") == 0)
        // Closing more than was opened never goes below zero or lends slots.
        limits.closeStream(from: "10.0.0.1")
        #expect(limits.streamCount(of: "10.0.0.1") == 0)
        #expect([open("10.0.0.1"), open("10.0.0.1"), open("10.0.0.1")] == [true, true, false])
    }

    @Test func rateChangesAreCappedInASlidingMinuteWithTheWaitToTell() {
        var limits = ClientLimits(maxStreamsPerAddress: 20, rateChangesPerMinute: 3)
        let start: Int64 = 1_000 * Self.second
        func change(_ address: String, at offset: Int64) -> Int? {
            limits.rateChange(from: address, now: start + offset)
        }
        #expect(change("a", at: 0) == nil)
        #expect(change("a", at: 10 * Self.second) == nil)
        #expect(change("a", at: 20 * Self.second) == nil)
        // The oldest leaves the window at start + 60 s: 30 s from now.
        #expect(change("a", at: 30 * Self.second) == 30)
        #expect(change("a", at: 59 * Self.second + 1) == 1)
        #expect(change("b", at: 30 * Self.second) == nil, "another address")
        // Refusals did not count: at start + 60 s exactly one slot is free again.
        #expect(change("a", at: 60 * Self.second) == nil)
        #expect(change("a", at: 60 * Self.second) == 10)
        #expect(change("a", at: 200 * Self.second) == nil)
    }

    @Test func quietAddressesAreForgotten() {
        var limits = ClientLimits(maxStreamsPerAddress: 20, rateChangesPerMinute: 60)
        for index in 0..<1_025 { _ = limits.rateChange(from: "10.1.\(index / 256).\(index % 256)", now: 0) }
        #expect(limits.rememberedAddresses == 1_025)
        _ = limits.rateChange(from: "late", now: 61 * Self.second)
        #expect(limits.rememberedAddresses == 1)
    }
}

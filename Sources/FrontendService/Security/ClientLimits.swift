/// Per-client-address caps: open result streams, and rate changes in a sliding minute. Pure: the
/// driver passes the address and the monotonic time in nanoseconds, and does what the answer says.
///
/// The address is the TCP peer's. Behind a proxy (an ingress gateway, HAProxy) every client has the
/// proxy's address, so these caps then hold for all of them together; the global `MAX_SSE_CLIENTS`
/// and `MAX_RATE` still apply.
public struct ClientLimits: Sendable {
    /// The length of the rate-change window.
    public static let window: Int64 = 60_000_000_000

    /// Open streams one address may hold (`MAX_SSE_CLIENTS_PER_ADDRESS`).
    public let maxStreamsPerAddress: Int
    /// Rate changes one address may make in any 60 s (`RATE_CHANGES_PER_MINUTE`).
    public let rateChangesPerMinute: Int

    private var streams: [String: Int] = [:]
    /// The times of each address's changes in the last window, oldest first.
    private var changes: [String: [Int64]] = [:]

    public init(maxStreamsPerAddress: Int, rateChangesPerMinute: Int) {
        self.maxStreamsPerAddress = maxStreamsPerAddress
        self.rateChangesPerMinute = rateChangesPerMinute
    }

    /// Open streams of `address`.
    public func streamCount(of address: String) -> Int { streams[address] ?? 0 }

    /// Counts a new stream of `address`, or returns false (and counts nothing) when it holds its cap.
    public mutating func openStream(from address: String) -> Bool {
        let count = streams[address] ?? 0
        guard count < maxStreamsPerAddress else { return false }
        streams[address] = count + 1
        return true
    }

    /// A stream that `openStream` counted has closed.
    public mutating func closeStream(from address: String) {
        guard let count = streams[address] else { return }
        streams[address] = count > 1 ? count - 1 : nil
    }

    /// Counts a rate change by `address` at `now`, or, past its cap, returns the whole seconds until
    /// its oldest change in the window leaves it (at least 1) and counts nothing.
    public mutating func rateChange(from address: String, now: Int64) -> Int? {
        var times = changes[address] ?? []
        times.removeAll { now - $0 >= Self.window }
        guard times.count < rateChangesPerMinute else {
            changes[address] = times
            let wait = times[0] + Self.window - now
            return max(1, Int((wait + 999_999_999) / 1_000_000_000))
        }
        times.append(now)
        changes[address] = times
        if changes.count > 1024 { forgetQuietAddresses(now: now) }
        return nil
    }

    /// Addresses remembered for rate changes (bounded: quiet ones are forgotten).
    public var rememberedAddresses: Int { changes.count }

    /// Drops addresses with no change in the window, so a stream of one-off clients does not grow
    /// the table for ever.
    private mutating func forgetQuietAddresses(now: Int64) {
        changes = changes.filter { _, times in times.last.map { now - $0 < Self.window } ?? false }
    }
}

/// A small, fast pseudo-random generator (Blackman and Vigna's xoshiro256**), seeded from the system or,
/// for repeatable tests, from one number.
///
/// The worker draws the hash's random part for every request and the frontend a body for every request
/// it generates, thousands a second; `SystemRandomNumberGenerator` would cost a `getrandom()` system call
/// for every eight bytes. Neither needs secrecy (the random part only makes equal inputs hash
/// differently, the bodies only need to differ), so a statistical generator seeded once is the right tool.
public struct FastRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(state: (system.next(), system.next(), system.next(), system.next()))
    }

    /// A generator that yields the same sequence for the same seed. The four words of state come from
    /// SplitMix64 over `seed`, as the authors recommend: similar seeds still give unrelated sequences.
    public init(seed: UInt64) {
        var splitMix = seed
        self.init(
            state: (
                Self.splitMix64(&splitMix), Self.splitMix64(&splitMix), Self.splitMix64(&splitMix),
                Self.splitMix64(&splitMix)
            ))
    }

    /// The raw state; all zeros is the one state xoshiro never leaves, so it is replaced.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state == (0, 0, 0, 0) ? (1, 0, 0, 0) : state
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    /// One step of Steele, Lea and Flood's SplitMix64.
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

import Testing

@testable import HashrCore

@Suite struct FastRandomTests {
    /// The published first outputs of xoshiro256** from state {1, 2, 3, 4} (the reference C code).
    @Test func matchesTheReferenceSequence() {
        var generator = FastRandom(state: (1, 2, 3, 4))
        #expect(generator.next() == 11520)
        #expect(generator.next() == 0)
        #expect(generator.next() == 1_509_978_240)
    }

    /// Seeding runs SplitMix64 (whose first outputs for 1234567 are the reference C code's) into the
    /// state, as the reference code recommends; the outputs after it are the reference C code's too.
    @Test func seedingMatchesTheReferenceSplitMix64() {
        var splitMix: UInt64 = 1_234_567
        #expect(FastRandom.splitMix64(&splitMix) == 6_457_827_717_110_365_317)
        #expect(FastRandom.splitMix64(&splitMix) == 3_203_168_211_198_807_973)
        #expect(FastRandom.splitMix64(&splitMix) == 9_817_491_932_198_370_423)
        var generator = FastRandom(seed: 1_234_567)
        #expect(generator.next() == 3_504_822_795_582_309_479)
        #expect(generator.next() == 1_819_558_768_956_484_042)
        #expect(generator.next() == 1_250_851_346_055_027_673)
    }

    @Test func sameSeedSameSequenceDifferentSeedOrSystemSeedDifferentSequence() {
        var first = FastRandom(seed: 7)
        var second = FastRandom(seed: 7)
        var third = FastRandom(seed: 8)
        var system = FastRandom()
        var otherSystem = FastRandom()
        let a = (0..<16).map { _ in first.next() }
        #expect(a == (0..<16).map { _ in second.next() })
        #expect(a != (0..<16).map { _ in third.next() })
        #expect((0..<16).map { _ in system.next() } != (0..<16).map { _ in otherSystem.next() })
    }

    /// The all-zero state would yield zeros forever; it is replaced.
    @Test func theAllZeroStateIsNeverUsed() {
        var generator = FastRandom(state: (0, 0, 0, 0))
        #expect((0..<8).contains { _ in generator.next() != 0 })
    }

    /// Every bit position is about half ones: a mistyped shift or rotation would show here.
    @Test func bitsAreBalanced() {
        var generator = FastRandom(seed: 99)
        var ones = [Int](repeating: 0, count: 64)
        let draws = 20_000
        for _ in 0..<draws {
            let value = generator.next()
            for bit in 0..<64 where value & (1 << UInt64(bit)) != 0 { ones[bit] += 1 }
        }
        for count in ones { #expect(abs(Double(count) / Double(draws) - 0.5) < 0.02) }
    }
}

import Foundation
import HashrCore
import Testing

@testable import FrontendService

@Suite struct RequestBodyGeneratorTests {
    static let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyz")

    @Test func bodyIsJSONWithABase36StringOfTenToTwelveCharacters() throws {
        var generator = RequestBodyGenerator(source: FastRandom(seed: 1))
        for _ in 0..<2_000 {
            let body = generator.nextBody()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(object.count == 1)
            let string = try #require(object["str"] as? String)
            #expect((10...12).contains(string.count))
            #expect(string.allSatisfy { Self.alphabet.contains($0) })
        }
    }

    @Test func bodyBytesAreExactlyTheCompactForm() {
        var generator = RequestBodyGenerator(source: FastRandom(seed: 9))
        var twin = RequestBodyGenerator(source: FastRandom(seed: 9))
        let body = String(decoding: generator.nextBody(), as: UTF8.self)
        #expect(body == #"{"str":""# + twin.nextString() + #""}"#)
    }

    @Test func sameSeedSameSequenceDifferentSeedDifferentSequence() {
        var first = RequestBodyGenerator(source: FastRandom(seed: 7))
        var second = RequestBodyGenerator(source: FastRandom(seed: 7))
        var third = RequestBodyGenerator(source: FastRandom(seed: 8))
        let a = (0..<100).map { _ in first.nextString() }
        let b = (0..<100).map { _ in second.nextString() }
        let c = (0..<100).map { _ in third.nextString() }
        #expect(a == b)
        #expect(a != c)
    }

    @Test func allLengthsAndAllCharactersOccurWithoutDuplicates() {
        var generator = RequestBodyGenerator(source: FastRandom(seed: 3))
        var lengths: [Int: Int] = [:]
        var characters: [Character: Int] = [:]
        var seen = Set<String>()
        let samples = 30_000
        for _ in 0..<samples {
            let string = generator.nextString()
            lengths[string.count, default: 0] += 1
            for character in string { characters[character, default: 0] += 1 }
            seen.insert(string)
        }
        #expect(Set(lengths.keys) == [10, 11, 12])
        for count in lengths.values { #expect(abs(count - samples / 3) < samples / 30) }
        #expect(Set(characters.keys) == Self.alphabet)
        // Every digit position is uniform, leading ones included: each character is about 1/36 of all.
        let total = characters.values.reduce(0, +)
        for count in characters.values { #expect(abs(Double(count) / Double(total) - 1 / 36) < 0.002) }
        #expect(seen.count == samples)
    }

    /// An injected source that always answers the largest value shows where each draw goes (a constant 0
    /// would spin forever in the standard library's rejection sampling).
    struct Largest: RandomNumberGenerator {
        mutating func next() -> UInt64 { .max }
    }

    @Test func largestDrawsGiveTheLongestStringOfZs() {
        var generator = RequestBodyGenerator(source: Largest())
        #expect(generator.nextString() == "zzzzzzzzzzzz")
        #expect(String(decoding: generator.nextBody(), as: UTF8.self) == #"{"str":"zzzzzzzzzzzz"}"#)
    }

    /// Counts the draws it hands out; a class, so the test reads the count the generator's copy made.
    final class Counting: RandomNumberGenerator {
        var source = FastRandom(seed: 5)
        var draws = 0
        func next() -> UInt64 {
            draws += 1
            return source.next()
        }
    }

    /// What makes a body cheap, counted rather than timed (a timing would fail on a busy machine): about
    /// two draws a body, one for the length and one for all the digits. A bounded draw is retried when
    /// it lands in the range's uneven remainder, which for 36^12 out of 2^64 is about one time in ten.
    @Test func aBodyCostsAboutTwoDraws() {
        let counting = Counting()
        var generator = RequestBodyGenerator(source: counting)
        var bytes = 0
        let bodies = 100_000
        for _ in 0..<bodies { bytes += generator.nextBody().count }
        #expect(bytes >= bodies * 20)
        let draws = counting.draws
        #expect(draws >= 2 * bodies && draws <= bodies * 9 / 4, "\(draws) draws")
    }
}

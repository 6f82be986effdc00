import Testing

@testable import FrontendService

@Suite struct SecondBucketsTests {
    @Test func countsPerSecondWithinTheWindow() {
        var buckets = SecondBuckets(capacity: 4)
        buckets.add(1, atSecond: 10)
        buckets.add(2, atSecond: 10)
        buckets.add(5, atSecond: 12)
        #expect(buckets.count(atSecond: 10) == 3)
        #expect(buckets.count(atSecond: 11) == 0)
        #expect(buckets.count(atSecond: 12) == 5)
        #expect(buckets.count(atSecond: 13) == 0, "not written yet")
        #expect(buckets.sum(over: 9..<13) == 8)
    }

    @Test func advancingReusesSlotsAndForgetsOldSeconds() {
        var buckets = SecondBuckets(capacity: 3)
        for second: Int64 in 0..<10 { buckets.add(Int(second) + 1, atSecond: second) }
        #expect(buckets.count(atSecond: 9) == 10)
        #expect(buckets.count(atSecond: 7) == 8)
        #expect(buckets.count(atSecond: 6) == 0, "out of the window, though its slot holds second 9")
        #expect(buckets.sum(over: 0..<10) == 8 + 9 + 10)
    }

    @Test func aGapClearsSkippedSlots() {
        var buckets = SecondBuckets(capacity: 5)
        for second: Int64 in 100..<105 { buckets.add(7, atSecond: second) }
        buckets.add(1, atSecond: 107)
        #expect(buckets.count(atSecond: 105) == 0 && buckets.count(atSecond: 106) == 0)
        #expect(buckets.count(atSecond: 104) == 7 && buckets.count(atSecond: 103) == 7)
        #expect(buckets.count(atSecond: 102) == 0)
        buckets.add(1, atSecond: 1_000)
        #expect(buckets.sum(over: 990..<1_001) == 1)
        #expect(buckets.sum(over: 100..<108) == 0)
    }

    @Test func lateWritesLandWhileInTheWindowAndAreIgnoredAfter() {
        var buckets = SecondBuckets(capacity: 3)
        buckets.add(1, atSecond: 20)
        buckets.add(1, atSecond: 19)
        buckets.add(1, atSecond: 17)
        #expect(buckets.count(atSecond: 19) == 1)
        #expect(buckets.sum(over: 0..<100) == 2)
    }

    @Test func secondRoundsDown() {
        #expect(SecondBuckets.second(of: 0) == 0)
        #expect(SecondBuckets.second(of: 999_999_999) == 0)
        #expect(SecondBuckets.second(of: 1_000_000_000) == 1)
        #expect(SecondBuckets.second(of: -1) == -1)
        #expect(SecondBuckets.second(of: -1_000_000_000) == -1)
        var buckets = SecondBuckets(capacity: 2)
        buckets.add(3, atSecond: -1)
        #expect(buckets.count(atSecond: -1) == 3)
    }
}

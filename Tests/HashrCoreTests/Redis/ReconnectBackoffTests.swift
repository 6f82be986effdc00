import Testing

@testable import HashrCore

@Suite struct ReconnectBackoffTests {
    private let configuration = ReconnectBackoff.Configuration(
        initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5)

    @Test func growsExponentiallyUpToTheCap() {
        var backoff = ReconnectBackoff(configuration: configuration, random: { 0 })
        let delays = (0..<7).map { _ in backoff.nextDelay() }
        #expect(delays == [100, 200, 400, 800, 1000, 1000, 1000].map { Duration.milliseconds($0) })
        #expect(backoff.attempts == 7)
    }

    @Test func jitterTakesAtMostItsFractionOff() {
        var low = ReconnectBackoff(configuration: configuration, random: { 0.999_999 })
        var middle = ReconnectBackoff(configuration: configuration, random: { 0.5 })
        #expect(low.nextDelay() == .nanoseconds(50_000_050))
        #expect(middle.nextDelay() == .milliseconds(75))
        for _ in 0..<10 { _ = low.nextDelay() }
        #expect(low.nextDelay() > .milliseconds(500))
    }

    @Test func randomDelaysStayWithinBounds() {
        var backoff = ReconnectBackoff(configuration: configuration)
        for attempt in 0..<50 {
            let ceiling = min(100.0 * Double(1 << min(attempt, 20)), 1000)
            let delay = backoff.nextDelay()
            #expect(delay <= .milliseconds(ceiling) && delay >= .milliseconds(ceiling / 2))
        }
    }

    @Test func resetStartsOver() {
        var backoff = ReconnectBackoff(configuration: configuration, random: { 0 })
        for _ in 0..<5 { _ = backoff.nextDelay() }
        backoff.reset()
        #expect(backoff.attempts == 0)
        #expect(backoff.nextDelay() == .milliseconds(100))
    }

    @Test func survivesAnyNumberOfAttempts() {
        var backoff = ReconnectBackoff(configuration: configuration, random: { 0 })
        for _ in 0..<100_000 { _ = backoff.nextDelay() }
        #expect(backoff.nextDelay() == .seconds(1))
    }

    @Test func oddSettingsAreClamped() {
        var noGrowth = ReconnectBackoff(
            configuration: .init(
                initialDelay: .milliseconds(10), maximumDelay: .seconds(1), multiplier: 0.5, jitter: 7),
            random: { 2 })
        #expect(noGrowth.nextDelay() == .zero)  // jitter clamped to 1 and the draw to 1: the whole delay is random
        var capBelowInitial = ReconnectBackoff(
            configuration: .init(initialDelay: .seconds(3), maximumDelay: .seconds(1), jitter: 0), random: { 0 })
        #expect(capBelowInitial.nextDelay() == .seconds(3))
        var zero = ReconnectBackoff(configuration: .init(initialDelay: .zero, jitter: 0), random: { 0 })
        #expect(zero.nextDelay() == .zero)
    }

    @Test func defaultsReconnectWithinTwoSeconds() {
        var backoff = ReconnectBackoff()
        let delays = (0..<20).map { _ in backoff.nextDelay() }
        #expect(delays.first! <= .milliseconds(50))
        #expect(delays.allSatisfy { $0 <= .seconds(2) })
    }
}

import Foundation
import HashrTestSupport
import Testing

@testable import WatcherService

/// The query and its decoding against a real Prometheus scraping an exporter the test controls.
/// (The event-loop HTTP client that will send these queries in the service is the core's; here
/// the blocking client stands in for it, so only the URL and the decoding are under test.)
@Suite(.serialized, .timeLimit(.minutes(2))) struct PrometheusIntegrationTests {
    static let rateQuery = #"sum(rate(hashr_requests_total{cluster="primary"}[3s]))"#

    /// Polls until `condition` holds for what `expression` returns, or `limit` passes.
    private func waitFor(
        _ prometheus: PrometheusInstance, _ expression: String, within limit: Duration = .seconds(30),
        _ condition: (Observation) -> Bool
    ) async throws -> Observation {
        let deadline = ContinuousClock.now + limit
        var last = try await prometheus.observe(expression)
        while !condition(last) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            last = try await prometheus.observe(expression)
        }
        return last
    }

    @Test func theWatcherSeesTheRateRiseAndFallAndSwitches() async throws {
        let prometheus = try await PrometheusInstance.started()
        var policy = BurstPolicy(configuration: .init(mode: .all(high: 15, low: 10)))
        policy.routerReported(burstWeight: 0, at: .now)
        try await prometheus.setRate(20)
        var transitions: [Int] = []
        let deadline = ContinuousClock.now + .seconds(60)
        var rates: [String] = []
        while transitions.count < 2 && ContinuousClock.now < deadline {
            let observation = try await prometheus.observe(Self.rateQuery)
            if case .value(let rate) = observation { rates.append(BurstPolicy.format(rate)) }
            if let weight = policy.decide(observation, at: .now).burstWeight {
                transitions.append(weight)
                policy.routerReported(burstWeight: weight, at: .now)
                if weight == 100 { try await prometheus.setRate(0) }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(transitions == [100, 0], "rates seen: \(rates)")
    }

    @Test func outcomesFromARealPrometheus() async throws {
        let prometheus = try await PrometheusInstance.started()
        try await prometheus.setRate(5)
        // A value, once two scrapes are in the window.
        let value = try await waitFor(prometheus, Self.rateQuery) {
            if case .value(let rate) = $0 { rate > 4 } else { false }
        }
        guard case .value(let rate) = value else {
            Issue.record("no value: \(value)")
            return
        }
        #expect((4...6).contains(rate))
        // The workshop's default query: that metric does not exist here, so no data.
        #expect(try await prometheus.observe(PrometheusQuery.defaultExpression) == .noData)
        // Two series without sum().
        let twoSeries = try await waitFor(prometheus, "rate(hashr_requests_total[3s])") { $0.kind == .error }
        guard case .error(let message) = twoSeries else {
            Issue.record("not an error: \(twoSeries)")
            return
        }
        #expect(message.contains("the query returned 2 series"))
        #expect(message.contains("aggregate them into one with sum(...)"))
        #expect(message.contains(#""cluster":"primary""#) || message.contains(#""cluster":"burst""#))
        // NaN and infinities.
        #expect(try await prometheus.observe("vector(0) / 0") == .notANumber("NaN"))
        #expect(try await prometheus.observe("vector(1) / 0") == .notANumber("+Inf"))
        #expect(try await prometheus.observe("scalar(vector(2.5))") == .value(2.5))
        // A range vector is the wrong result type.
        guard case .error(let matrix) = try await prometheus.observe("hashr_requests_total[5s]") else {
            Issue.record("a matrix was accepted")
            return
        }
        #expect(matrix.contains("returned a matrix"))
        // A syntax error is Prometheus' own bad_data error with its explanation.
        guard case .error(let syntax) = try await prometheus.observe("sum(rate(x[1m]") else {
            Issue.record("a syntax error was accepted")
            return
        }
        #expect(syntax.hasPrefix("Prometheus answered HTTP 400: bad_data: "), "\(syntax)")
    }

    @Test func prometheusDownIsAnErrorThatHoldsTheRoute() async throws {
        let port = FreePort.take()
        let query = PrometheusQuery(serverURL: "http://127.0.0.1:\(port)", expression: "up")
        let http = BlockingHTTPClient(certificateAuthorityFile: nil, allowsPlainHTTP: true)
        let observation = try await OffThePool.run { () -> Observation in
            do {
                let response = try http.perform(method: "GET", url: query.url, timeout: .seconds(2))
                return query.decode(status: response.status, body: response.body)
            } catch {
                return query.connectionFailed("\(error)")
            }
        }
        guard case .error(let message) = observation else {
            Issue.record("not an error: \(observation)")
            return
        }
        #expect(message.hasPrefix("cannot query Prometheus at http://127.0.0.1:\(port): connection failed:"))
        var policy = BurstPolicy(configuration: .init(mode: .all(high: 15, low: 10)))
        policy.routerReported(burstWeight: 100, at: .now)
        #expect(policy.decide(observation, at: .now).burstWeight == nil)
    }
}

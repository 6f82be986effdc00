import Foundation
import HashrCore
import HashrTestSupport
import Logging
import Testing

@testable import WatcherService

/// The whole watcher on its event loop: a real Prometheus scraping an exporter whose rate the test
/// sets, and a real HAProxy whose weights it moves.
@Suite(.serialized, .timeLimit(.minutes(3))) struct WatcherServiceTests {
    static let rateQuery = PrometheusIntegrationTests.rateQuery

    /// A running watcher on its own loop thread.
    struct Running {
        let thread: EventLoopThread
        let service: LoopBound<WatcherService>

        static func start(prometheus: PrometheusInstance, haproxy: HAProxyInstance, dryRun: Bool = false) async throws
            -> Running
        {
            try await start(prometheus: prometheus, router: .haproxy(haproxy.configuration), dryRun: dryRun)
        }

        static func start(
            prometheus: PrometheusInstance, router: RouterConfiguration, dryRun: Bool = false
        ) async throws -> Running {
            let configuration = WatcherConfiguration(
                port: 0, query: PrometheusQuery(serverURL: prometheus.url, expression: WatcherServiceTests.rateQuery),
                pollInterval: .milliseconds(250), queryTimeout: .seconds(2),
                policy: .init(mode: .all(high: 15, low: 10)), router: router, dryRun: dryRun)
            let thread = try EventLoopThread()
            let loop = thread.loop
            let service = try await thread.submit {
                var logger = Logger(label: "watcher-test")
                logger.logLevel = .warning
                return LoopBound(
                    try WatcherService(loop: loop, configuration: configuration, logger: logger), loop: loop)
            }
            return Running(thread: thread, service: service)
        }

        func metrics() async throws -> String {
            let service = self.service
            return try await thread.submit { String(decoding: service.value.metrics.exposition(), as: UTF8.self) }
        }

        func stop() async -> Int32 {
            let service = self.service
            _ = await thread.submitAsync { (complete: @escaping (Bool) -> Void) in
                service.value.shutdown { complete(true) }
            }
            return await thread.shutdown()
        }
    }

    static func burstWeight(_ haproxy: HAProxyInstance) async throws -> Int? {
        let reply = try await haproxy.runtime("get weight worker/burst\n")
        return Int(reply.split(separator: " ").first ?? "")
    }

    @Test func burstsOnRisingRateReturnsOnFallingAndHoldsThroughAPrometheusOutage() async throws {
        let prometheus = try await PrometheusInstance.started()
        let haproxy = try await HAProxyInstance.started()
        let watcher = try await Running.start(prometheus: prometheus, haproxy: haproxy)

        try await prometheus.setRate(20)
        try await waitUntil("burst weight 100", timeout: .seconds(30)) { try await Self.burstWeight(haproxy) == 100 }
        #expect(try await haproxy.traffic(10)["burst"] == 10)

        try await prometheus.setRate(0)
        try await waitUntil("burst weight back to 0", timeout: .seconds(30)) {
            try await Self.burstWeight(haproxy) == 0
        }
        #expect(try await haproxy.traffic(10)["primary"] == 10)

        try await prometheus.setRate(20)
        try await waitUntil("burst weight 100 again", timeout: .seconds(30)) {
            try await Self.burstWeight(haproxy) == 100
        }
        // Prometheus goes away while bursting: errors hold the route, they never read as zero.
        try await prometheus.stopPrometheus()
        try await Task.sleep(for: .seconds(3))
        #expect(try await Self.burstWeight(haproxy) == 100)
        let metrics = try await watcher.metrics()
        #expect(metrics.contains("istiowatcher_queries_total{outcome=\"error\"}"))
        #expect(metrics.contains("istiowatcher_transitions_total{direction=\"to_burst\"} 2"))
        #expect(metrics.contains("istiowatcher_transitions_total{direction=\"to_primary\"} 1"))
        #expect(metrics.contains("istiowatcher_burst_weight 100"))
        #expect(await watcher.stop() == 0)
    }

    /// The same decision cycle on the gateway-api router: the HTTPRoute in the stand-in API server
    /// moves to burst and back, with one Event per change and nothing else in it touched.
    @Test func burstsAndReturnsThroughAnHTTPRoute() async throws {
        let prometheus = try await PrometheusInstance.started()
        let server = try await StandInAPIServer.started()
        let original = try await server.storedHTTPRoute()
        let watcher = try await Running.start(
            prometheus: prometheus, router: .gatewayAPI(server.gatewayConfiguration()))
        let editor = server.gatewayConfiguration().editor

        try await prometheus.setRate(20)
        try await waitUntil("HTTPRoute burst weight 100", timeout: .seconds(30)) {
            try editor.weights(in: editor.decode(await server.storedHTTPRoute().bytes))
                == SubsetWeights(primary: 0, burst: 100)
        }
        try await prometheus.setRate(0)
        try await waitUntil("HTTPRoute burst weight back to 0", timeout: .seconds(30)) {
            try editor.weights(in: editor.decode(await server.storedHTTPRoute().bytes))
                == SubsetWeights(primary: 100, burst: 0)
        }
        // The stand-in stores the weights before the watcher's loop hears the change went through.
        try await waitUntil("both transitions counted", timeout: .seconds(5)) {
            let metrics = try await watcher.metrics()
            return metrics.contains("istiowatcher_transitions_total{direction=\"to_burst\"} 1")
                && metrics.contains("istiowatcher_transitions_total{direction=\"to_primary\"} 1")
        }
        #expect(await watcher.stop() == 0)

        let requests = try await server.requests()
        #expect(requests.filter { $0["method"] == "PATCH" }.count == 2)
        let events = requests.filter { $0["method"] == "POST" }.compactMap {
            try? JSONTree.parse($0["body"]?.stringValue ?? "")
        }
        #expect(
            events.map { $0["message"]?.stringValue?.prefix(22) } == [
                "burst weight 0 -> 100:", "burst weight 100 -> 0:",
            ])
        #expect(events.allSatisfy { $0["involvedObject"]?["kind"] == "HTTPRoute" })
        // Back to the natural state: the stored object differs from the original only in its version.
        #expect(
            JSONTree.differences(original, try await server.storedHTTPRoute()) == [
                "metadata.resourceVersion"
            ])
    }

    @Test func dryRunDecidesButNeverChangesTheRoute() async throws {
        let prometheus = try await PrometheusInstance.started()
        let haproxy = try await HAProxyInstance.started()
        let watcher = try await Running.start(prometheus: prometheus, haproxy: haproxy, dryRun: true)
        try await prometheus.setRate(20)
        try await waitUntil("a simulated burst", timeout: .seconds(30)) {
            try await watcher.metrics().contains("istiowatcher_burst_weight 100")
        }
        #expect(try await Self.burstWeight(haproxy) == 0)
        #expect(await watcher.stop() == 0)
    }
}

/// The `istiowatcher` executable itself.
@Suite struct WatcherProcessTests {
    @Test(arguments: [
        ["BURST_HIGH_RPS": "10", "BURST_LOW_RPS": "15", "ROUTER": "haproxy"],
        ["POLL_INTERVAL": "fast", "ROUTER": "haproxy"],
        ["ROUTER": "istioctl"],
        ["PROMETHEUS_URL": "ftp://prometheus", "ROUTER": "haproxy"],
        ["BURST_MODE": "overflow", "ROUTER": "haproxy"],
    ])
    func badConfigurationExitsTwoWithOneLine(environment: [String: String]) async throws {
        let watcher = try ServiceProcess("istiowatcher", environment: environment)
        let result = try await watcher.wait()
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("istiowatcher: invalid configuration"))
    }

    @Test func sigtermExitsPromptlyEvenWithNothingReachable() async throws {
        let port = FreePort.take()
        let watcher = try ServiceProcess(
            "istiowatcher",
            environment: [
                "ROUTER": "haproxy", "HAPROXY_ADDR": "127.0.0.1:1", "PROMETHEUS_URL": "http://127.0.0.1:1",
                "PORT": "\(port)", "POLL_INTERVAL": "200ms", "ROUTER_TIMEOUT": "90s", "QUERY_TIMEOUT": "90s",
            ])
        do {
            try await waitUntil("listening", timeout: .seconds(60)) {
                try await OffThePool.run { LoopbackSocket.accepts(port: port) }
            }
        } catch {
            watcher.signal(SIGKILL)  // not left running after the test
            throw error
        }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        watcher.signal(SIGTERM)
        let result = try await watcher.wait()
        #expect(result.status == 0)
        // A margin, not a measurement: a shutdown that waited out a router or query timeout would
        // take 90 s; a prompt one takes well under a second, and 30 s covers a busy machine.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(result.stdout.contains("cannot read the route"))
    }
}

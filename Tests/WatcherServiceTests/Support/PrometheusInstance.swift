import Foundation
import HashrTestSupport

@testable import WatcherService

/// A real Prometheus (Debian's `prometheus`) scraping `Fixtures/rate_exporter.py` every second,
/// on free loopback ports, with its storage in a temporary folder.
// Unchecked: a test uses its instance from one task at a time.
final class PrometheusInstance: @unchecked Sendable {
    /// Starts one off the cooperative pool (`OffThePool`): starting waits for the server to be ready.
    static func started() async throws -> PrometheusInstance {
        try await OffThePool.run { try PrometheusInstance() }
    }

    static let exporterScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/rate_exporter.py").path

    let port = FreePort.take()
    let exporterPort: Int
    private let exporter: TestChild
    private let prometheus: TestChild
    private let directory: TemporaryDirectory
    /// Plain HTTP, as Prometheus serves in the cluster.
    let http = BlockingHTTPClient(certificateAuthorityFile: nil, allowsPlainHTTP: true)

    init() throws {
        directory = try TemporaryDirectory()
        let started = try TestChild.startReadingFirstLine(
            "python3", ["-u", Self.exporterScript], errorFile: "\(directory.path)/exporter.stderr")
        exporter = started.child
        guard let exporterPort = Int(started.firstLine) else {
            throw CommandFailure(description: "the exporter printed \(started.firstLine), not a port")
        }
        self.exporterPort = exporterPort
        try directory.write(
            "prometheus.yml",
            """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: hashr
                static_configs:
                  - targets: ["127.0.0.1:\(exporterPort)"]

            """)
        prometheus = try TestChild(
            "/usr/bin/prometheus",
            [
                "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ])
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? http.perform(method: "GET", url: "\(url)/-/ready", timeout: .seconds(1)).status) != 200 {
            guard prometheus.isRunning, ContinuousClock.now < deadline else {
                stop()
                throw CommandFailure(description: "prometheus did not become ready on port \(port)")
            }
            usleep(100_000)
        }
    }

    deinit { stop() }

    /// Takes Prometheus away (the exporter stays), as an outage would.
    func stopPrometheus() {
        prometheus.kill()
    }

    private func stop() {
        prometheus.kill()
        exporter.kill()
        directory.remove()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Sets the rate at which the exporter's `cluster="primary"` counter grows.
    func setRate(_ rps: Double) throws {
        _ = try http.perform(
            method: "POST", url: "http://127.0.0.1:\(exporterPort)/rate?rps=\(rps)", timeout: .seconds(2))
    }

    /// Runs `expression` as the watcher does and decodes the answer.
    func observe(_ expression: String) -> Observation {
        let query = PrometheusQuery(serverURL: url, expression: expression)
        do {
            let response = try http.perform(method: "GET", url: query.url, timeout: .seconds(5))
            return query.decode(status: response.status, body: response.body)
        } catch {
            return query.connectionFailed("\(error)")
        }
    }
}

/// The same calls for async tests: each blocks on HTTP, so it runs off the cooperative pool.
extension PrometheusInstance {
    func setRate(_ rps: Double) async throws {
        try await OffThePool.run { try self.setRate(rps) as Void }
    }

    func observe(_ expression: String) async throws -> Observation {
        try await OffThePool.run { self.observe(expression) as Observation }
    }

    func stopPrometheus() async throws {
        try await OffThePool.run { self.stopPrometheus() as Void }
    }
}

import Foundation
import HashrTestSupport

@testable import WatcherService

/// A real HAProxy (Debian's `haproxy`) on free loopback ports, standing in for the mesh: backend
/// `worker` with servers `primary` and `burst`, each of which is an HAProxy frontend answering its
/// own name, so a test can see where traffic really goes.
// Unchecked: a test uses its instance from one task at a time.
final class HAProxyInstance: @unchecked Sendable {
    /// Starts one off the cooperative pool (`OffThePool`): starting waits for the server to be ready.
    static func started(primaryWeight: Int = 100, burstWeight: Int = 0) async throws -> HAProxyInstance {
        try await OffThePool.run {
            // A free port can be taken by another test between choosing it and haproxy binding it:
            // then again with new ports (a few times; any other failure at once).
            var attempt = 1
            while true {
                do {
                    return try HAProxyInstance(primaryWeight: primaryWeight, burstWeight: burstWeight)
                } catch let failure as CommandFailure where attempt < 4 && failure.description.contains("Address already in use") {
                    attempt += 1
                }
            }
        }
    }

    let adminPort = FreePort.take()
    let meshPort = FreePort.take()
    private let directory: TemporaryDirectory
    private let process: TestChild

    init(primaryWeight: Int = 100, burstWeight: Int = 0) throws {
        let primaryPort = FreePort.take()
        let burstPort = FreePort.take()
        directory = try TemporaryDirectory()
        try directory.write(
            "haproxy.cfg",
            """
            global
                maxconn 100
                stats socket ipv4@127.0.0.1:\(adminPort) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend mesh
                bind 127.0.0.1:\(meshPort)
                default_backend worker
            backend worker
                balance roundrobin
                server primary 127.0.0.1:\(primaryPort) weight \(primaryWeight)
                server burst 127.0.0.1:\(burstPort) weight \(burstWeight)
            frontend primary_app
                bind 127.0.0.1:\(primaryPort)
                http-request return status 200 content-type text/plain string primary
            frontend burst_app
                bind 127.0.0.1:\(burstPort)
                http-request return status 200 content-type text/plain string burst

            """)
        process = try TestChild(
            "/usr/sbin/haproxy", ["-db", "-f", "\(directory.path)/haproxy.cfg"],
            standardError: .file("\(directory.path)/stderr"))
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? runtime("show info\n")) == nil {
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.kill()
                let errors = directory.read("stderr") ?? ""
                directory.remove()
                throw CommandFailure(description: "haproxy did not start: \(errors)")
            }
            usleep(20_000)
        }
    }

    deinit {
        process.kill()
        directory.remove()
    }

    var configuration: HAProxyRouterConfiguration {
        HAProxyRouterConfiguration(host: "127.0.0.1", port: adminPort, timeout: .seconds(5))
    }

    /// One runtime API command, answered.
    func runtime(_ command: String) throws -> String {
        try BlockingTCPExchange(host: "127.0.0.1", port: adminPort, timeout: .seconds(2)).exchange(command)
    }

    /// Sends `count` requests through the mesh and counts which server answered.
    func traffic(_ count: Int) throws -> [String: Int] {
        var answers: [String: Int] = [:]
        let mesh = BlockingTCPExchange(host: "127.0.0.1", port: meshPort, timeout: .seconds(5))
        for _ in 0..<count {
            let reply = try mesh.exchange("GET / HTTP/1.0\r\nHost: mesh\r\n\r\n")
            let body = reply.components(separatedBy: "\r\n\r\n").last ?? reply
            answers[body, default: 0] += 1
        }
        return answers
    }
}

/// The same calls for async tests: each is a blocking TCP exchange, so it runs off the pool.
extension HAProxyInstance {
    func runtime(_ command: String) async throws -> String {
        try await OffThePool.run { try self.runtime(command) as String }
    }

    func traffic(_ count: Int) async throws -> [String: Int] {
        try await OffThePool.run { try self.traffic(count) as [String: Int] }
    }
}

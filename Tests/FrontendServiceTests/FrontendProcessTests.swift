import Foundation
import FoundationNetworking
import HashrCore
import HashrTestSupport
import Testing

/// The `frontend` executable itself: configuration errors, its bundled page, and signals.
/// One process at a time: a dozen debug binaries starting at once would crowd the other suites.
@Suite(.serialized) struct FrontendProcessTests {
    @Test(arguments: [
        ("PORT", "eighty"), ("PROCESSOR_URL", "https://worker"), ("PROCESSOR_URL", "worker-service"),
        ("REDIS_URL", "redis://"), ("MAX_RATE", "-5"), ("INITIAL_RATE", "fast"), ("MAX_IN_FLIGHT", "0"),
        ("TICK_INTERVAL", "1.5ms"), ("REQUEST_TIMEOUT", "soon"), ("SSE_KEEPALIVE", "0s"), ("LOG_LEVEL", "loud"),
    ])
    func badConfigurationExitsTwoWithOneClearLine(variable: String, value: String) async throws {
        let frontend = try ServiceProcess("frontend", environment: [variable: value])
        let result = try await frontend.wait()
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(variable) && result.stderr.contains(value))
    }

    /// A key that cannot be used stops the start with one line naming the variable and never the key.
    @Test(arguments: [
        (["RATE_CONTROL_TOKEN": "too-short-key"], "RATE_CONTROL_TOKEN", "too-short-key"),
        (["RATE_CONTROL_TOKEN": ""], "RATE_CONTROL_TOKEN", "-"),
        (["RATE_CONTROL_TOKEN": "a key with spaces in it"], "RATE_CONTROL_TOKEN", "with spaces"),
        (["RATE_CONTROL_TOKEN": "long-enough-rate-key-1", "RATE_CONTROL_TOKEN_FILE": "/etc/hostname"],
         "RATE_CONTROL_TOKEN_FILE", "long-enough-rate-key-1"),
        (["RATE_CONTROL_TOKEN_FILE": "/nonexistent/rate-control/token"], "RATE_CONTROL_TOKEN_FILE", "-"),
        (["RATE_CONTROL_TOKEN_FILE": "/dev/null"], "RATE_CONTROL_TOKEN_FILE", "-"),
        (["RATE_CONTROL_TOKEN_FILE": ""], "RATE_CONTROL_TOKEN_FILE", "-"),
    ])
    func anUnusableRateControlKeyExitsTwoWithoutShowingIt(
        environment: [String: String], variable: String, secret: String
    ) async throws {
        let frontend = try ServiceProcess("frontend", environment: environment)
        let result = try await frontend.wait()
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(variable))
        if secret != "-" { #expect(!(result.stderr + result.stdout).contains(secret), "\(result.stderr)") }
    }

    /// The binary with its real log sink at the most verbose level, JSON lines and text: the key is in
    /// no line, whether a request was refused or accepted.
    @Test(arguments: ["json", "text"])
    func theKeyIsNeverLogged(format: String) async throws {
        let key = "never-log-this-key-0123456789abcdef"
        try await Self.withFrontend(
            ["RATE_CONTROL_TOKEN": key, "LOG_LEVEL": "trace", "LOG_FORMAT": format]
        ) { (port: Int) async throws in
            #expect(try await Self.put(port: port, authorization: "Bearer wrong-\(key)") == 401)
            #expect(try await Self.put(port: port, authorization: nil) == 401)
            #expect(try await Self.put(port: port, authorization: "Bearer \(key)") == 200)
        } whenStopped: { output in
            #expect(output.contains("/api/rate"), "the access log is there to look at")
            #expect(!output.contains(key) && !output.contains("never-log-this"))
        }
    }

    @Test func theBinaryServesItsBundledPageAndStopsOnSIGTERM() async throws {
        try await Self.withFrontend { port in
            try await waitUntil("frontend subscribed") { try await Self.get(port: port, "/_healthz").status == 200 }
            let page = try await Self.get(port: port, "/")
            #expect(page.status == 200)
            #expect(page.contentType == "text/html; charset=utf-8")
            #expect(page.body.contains("<title>String Hashr</title>"))
        }
    }

    @Test func initialRateStartsSendingWithoutAnyoneSettingIt() async throws {
        // Nothing listens at PROCESSOR_URL: every request fails as refused, which still shows that
        // the frontend sends on its own from the start.
        try await Self.withFrontend(["INITIAL_RATE": "25", "LOG_LEVEL": "error"]) { port in
            let rate = try await Self.get(port: port, "/api/rate")
            #expect(rate.status == 200)
            #expect(rate.body == #"{"rps":25}"#)
            try await waitUntil("requests sent at the initial rate") {
                let stats = try await Self.get(port: port, "/api/stats")
                let fields = try JSONSerialization.jsonObject(with: Data(stats.body.utf8)) as? [String: Any]
                return (fields?["sent"] as? Int ?? 0) >= 10 && (fields?["targetRate"] as? Double) == 25
            }
        }
    }

    /// Runs the `frontend` binary beside a real Redis, with a PROCESSOR_URL where nothing listens
    /// and `extra` on top; `body` gets its port once it listens. Then SIGTERM, which must end it
    /// with exit 0. A failure kills it instead, so no process is left behind.
    static func withFrontend(
        _ extra: [String: String] = [:], _ body: (Int) async throws -> Void,
        whenStopped: (String) -> Void = { _ in }
    ) async throws {
        let redis = try await RedisServerProcess.started()
        let port = FreePort.take()
        let environment = [
            "PORT": "\(port)", "REDIS_URL": "127.0.0.1:\(redis.port)", "LOG_LEVEL": "warning",
            "PROCESSOR_URL": "http://127.0.0.1:\(FreePort.take())",
        ].merging(extra) { _, chosen in chosen }
        let frontend = try ServiceProcess("frontend", environment: environment)
        do {
            try await waitUntil("frontend listening") { LoopbackSocket.accepts(port: port) }
            try await body(port)
        } catch {
            frontend.signal(SIGKILL)
            _ = try? await frontend.wait()
            throw error
        }
        frontend.signal(SIGTERM)
        let result = try await frontend.wait()
        #expect(result.status == 0, "\(result.stderr)")
        whenStopped(result.stdout + result.stderr)
    }

    /// `PUT /api/rate` `{"rps": 0}`; the status.
    static func put(port: Int, authorization: String?) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/rate")!)
        request.httpMethod = "PUT"
        request.httpBody = Data(#"{"rps": 0}"#.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? -1
    }

    static func get(port: Int, _ path: String) async throws -> (status: Int, contentType: String?, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        let http = response as? HTTPURLResponse
        return (
            http?.statusCode ?? -1, http?.value(forHTTPHeaderField: "Content-Type"),
            String(decoding: data, as: UTF8.self)
        )
    }
}

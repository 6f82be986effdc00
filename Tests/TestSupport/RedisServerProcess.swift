import Foundation
import HashrCore

#if canImport(Glibc)
    import Glibc
#endif

/// A `redis-server` of a test's own, on a free loopback port, without persistence, stopped by PID.
///
/// Reusable by any test: `let redis = try RedisServerProcess()`, then `redis.url`; `kill()` to take
/// it away (SIGKILL, as a crash would), `start()` to bring it back on the same port, `stop()` (also
/// run on deinit) at the end. It never skips: a missing `redis-server` fails the test.
// Unchecked: a test drives its server from one task at a time (start, kill, pause in sequence).
public final class RedisServerProcess: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case didNotStart(String)

        public var description: String {
            switch self {
            case .notInstalled: "redis-server not found (install Debian's redis-server package)"
            case .didNotStart(let log): "redis-server did not start accepting connections:\n\(log)"
            }
        }
    }

    public let port: Int
    public let password: String?
    public let extraArguments: [String]
    private var process: TestChild?
    private let logFile: URL

    /// Starts a server on `port` (a free one when nil), with `--requirepass` when `password` is set.
    public init(port: Int? = nil, password: String? = nil, arguments: [String] = []) throws {
        self.port = port ?? FreePort.take()
        self.password = password
        extraArguments = arguments
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "redis-\(self.port)-\(UUID().uuidString).log")
        try start()
    }

    /// Starts a server off the cooperative pool (see `OffThePool`): what async tests should call.
    public static func started(port: Int? = nil, password: String? = nil, arguments: [String] = []) async throws
        -> RedisServerProcess
    {
        try await OffThePool.run { try RedisServerProcess(port: port, password: password, arguments: arguments) }
    }

    /// `start()` off the cooperative pool.
    public func restart() async throws {
        try await OffThePool.run { [self] in try start() }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: logFile)
    }

    /// `127.0.0.1:port`, with the password if there is one.
    public var url: RedisURL { RedisURL(host: "127.0.0.1", port: port, password: password) }

    public var pid: Int32? { process?.pid }

    /// Starts the server (again) and waits until it accepts connections (at most 10 s).
    public func start() throws {
        precondition(process == nil, "already running")
        guard let executable = Self.executable() else { throw Failure.notInstalled }
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        var arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--logfile", logFile.path,
        ]
        if let password { arguments += ["--requirepass", password] }
        let process = try TestChild(executable, arguments + extraArguments)
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { break }
            if LoopbackSocket.accepts(port: port) { return }
            usleep(10_000)
        }
        stop()
        throw Failure.didNotStart((try? String(contentsOf: logFile, encoding: .utf8)) ?? "")
    }

    /// SIGKILL, as a crash would, and waits for the process to be gone. The port is free at once.
    public func kill() {
        guard let process else { return }
        self.process = nil
        process.kill()
    }

    /// Stops the server if it runs.
    public func stop() {
        kill()
    }

    /// SIGSTOP: the server keeps its sockets but answers nothing, as a hung Redis would.
    public func pause() {
        if let pid { Glibc.kill(pid, SIGSTOP) }
    }

    public func resume() {
        if let pid { Glibc.kill(pid, SIGCONT) }
    }

    private static func executable() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { "\($0)/redis-server" } + [
                "/usr/bin/redis-server", "/usr/local/bin/redis-server",
            ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One of this package's executables run as a child process, as a user or Kubernetes runs it.
///
/// The binaries sit next to the test bundle in the build folder (`swift build --build-tests`
/// builds them). A missing binary fails the test; it never skips.
public final class ServiceProcess: @unchecked Sendable {
    public let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    public init(_ name: String, environment: [String: String]) throws {
        let path = try Self.binary(name)
        process.executableURL = URL(fileURLWithPath: path)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// The build folder's copy of executable `name`.
    public static func binary(_ name: String) throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        // The test runner may be inside `X.xctest/` or beside it.
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name) next to \(executable.path)"])
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit (at most `timeout`, then SIGKILL) and returns the status with both outputs.
    public func wait(timeout: Duration = .seconds(15)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let status = process.waitForExit()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (status, out, err)
    }
}

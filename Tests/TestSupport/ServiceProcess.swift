import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One of this package's executables run as a child process, as a user or Kubernetes runs it.
///
/// The binaries sit next to the test bundle in the build folder (`swift build --build-tests`
/// builds them). A missing binary fails the test; it never skips. The outputs go to files, read by
/// `wait`; the child is killed when the object goes, also when the test throws first.
public final class ServiceProcess: Sendable {
    private let child: TestChild
    private let outputs: TemporaryDirectory

    public init(_ name: String, environment: [String: String]) throws {
        let path = try Self.binary(name)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        outputs = try TemporaryDirectory()
        child = try TestChild(
            path, [], environment: merged, standardOutput: .file("\(outputs.path)/stdout"),
            standardError: .file("\(outputs.path)/stderr"))
    }

    deinit {
        child.kill()
        outputs.remove()
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

    public func signal(_ number: Int32) { child.signal(number) }

    /// Waits for the exit (at most `timeout`, then SIGKILL) and returns the status with both outputs.
    /// The status is the exit status, or 128 + the signal's number when a signal ended the process
    /// (as a shell reports it).
    public func wait(timeout: Duration = .seconds(15)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let deadline = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        child.kill()
        let status: Int32 =
            switch child.waitForExit() {
            case .exited(let status): status
            case .killed(let signal): 128 + signal
            }
        return (status, outputs.read("stdout") ?? "", outputs.read("stderr") ?? "")
    }
}

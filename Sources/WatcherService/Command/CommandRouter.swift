import Dispatch
import Foundation

/// Routes by running a command, e.g. `kubectl apply -f istio-manifests/{state}.yaml`.
///
/// The command runs with `/bin/sh -c` after `{state}` (`natural` or `burst`) and `{weight}` are
/// substituted; it also gets `BURST_STATE`, `BURST_WEIGHT` and `BURST_REASON` in its environment.
/// A non-zero exit, a signal or running past the timeout is a failed change whose message ends
/// with the tail of what the command wrote to stderr. A command cannot be asked for the current
/// state, so `readBurstWeight` returns nil and the driver applies its believed state at start.
public struct CommandRouter: WeightRouter {
    /// How much of the command's output a failure message quotes.
    public static let tailLength = 500

    public let configuration: CommandRouterConfiguration

    public init(configuration: CommandRouterConfiguration) {
        self.configuration = configuration
    }

    public var target: String { "command \(configuration.template)" }

    public func readBurstWeight() throws(RouterError) -> Int? { nil }

    public func apply(burstWeight: Int, reason: String) throws(RouterError) -> RouterChange {
        guard (0...100).contains(burstWeight) else { throw RouterError("burst weight \(burstWeight) is not in 0...100") }
        let command = configuration.command(forBurstWeight: burstWeight)
        var environment = ProcessInfo.processInfo.environment
        environment["BURST_STATE"] = CommandRouterConfiguration.state(forBurstWeight: burstWeight)
        environment["BURST_WEIGHT"] = String(burstWeight)
        environment["BURST_REASON"] = reason
        try run(command, environment: environment)
        return RouterChange(changed: true)
    }

    private func run(_ command: String, environment: [String: String]) throws(RouterError) {
        // Output goes to files, not pipes: nothing to drain while waiting, and a grandchild that
        // keeps a pipe open cannot block us after the command itself has ended.
        let directory = FileManager.default.temporaryDirectory
        let outputURL = directory.appendingPathComponent("istiowatcher-\(UUID().uuidString).out")
        let errorURL = directory.appendingPathComponent("istiowatcher-\(UUID().uuidString).err")
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
            FileManager.default.createFile(atPath: errorURL.path, contents: nil),
            let output = try? FileHandle(forWritingTo: outputURL), let errors = try? FileHandle(forWritingTo: errorURL)
        else {
            throw RouterError("cannot create files for the output of \(command) in \(directory.path)")
        }
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw RouterError("cannot start /bin/sh -c \(command): \(error)")
        }
        if finished.wait(timeout: .now() + .nanoseconds(Self.nanoseconds(configuration.timeout))) == .timedOut {
            stop(process, finished: finished)
            throw RouterError(
                "\(command) did not finish within \(configuration.timeout) and was killed" + tail(errorURL, outputURL))
        }
        switch (process.terminationReason, process.terminationStatus) {
        case (.exit, 0):
            return
        case (.exit, let status):
            throw RouterError("\(command) exited with status \(status)" + tail(errorURL, outputURL))
        case (_, let signal):
            throw RouterError("\(command) was killed by signal \(signal)" + tail(errorURL, outputURL))
        }
    }

    /// SIGTERM to the shell's whole process group (the command's children too), then SIGKILL.
    private func stop(_ process: Process, finished: DispatchSemaphore) {
        let pid = process.processIdentifier
        if kill(-pid, SIGTERM) != 0 { process.terminate() }
        if finished.wait(timeout: .now() + .seconds(2)) == .timedOut {
            if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
            _ = finished.wait(timeout: .now() + .seconds(2))
        }
    }

    /// `: <last characters of stderr>` (or of stdout when stderr is empty), or nothing.
    private func tail(_ errorURL: URL, _ outputURL: URL) -> String {
        for url in [errorURL, outputURL] {
            guard let data = try? Data(contentsOf: url), !data.isEmpty else { continue }
            let text = String(decoding: data.suffix(Self.tailLength * 4), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { continue }
            let line = String(text.suffix(Self.tailLength)).replacingOccurrences(of: "\n", with: " | ")
            return ": " + (text.count > Self.tailLength ? "..." + line : line)
        }
        return ""
    }

    private static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

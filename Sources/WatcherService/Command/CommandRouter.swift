import FoundationEssentials
import HashrCore

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

    /// The command line and its timeout.
    public let configuration: CommandRouterConfiguration

    /// A router that runs `configuration`'s command for each change.
    public init(configuration: CommandRouterConfiguration) {
        self.configuration = configuration
    }

    public var target: String { "command \(configuration.template)" }

    public func readBurstWeight() throws(RouterError) -> Int? { nil }

    public func apply(burstWeight: Int, reason: String) throws(RouterError) -> RouterChange {
        guard (0...100).contains(burstWeight) else {
            throw RouterError(.invalidWeight, "burst weight \(burstWeight) is not in 0...100")
        }
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
        let outputPath = directory.appendingPathComponent("istiowatcher-\(UUID().uuidString).out").path
        let errorPath = directory.appendingPathComponent("istiowatcher-\(UUID().uuidString).err").path
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                "/bin/sh", arguments: ["-c", command], environment: environment, standardOutput: .file(outputPath),
                standardError: .file(errorPath))
        } catch {
            throw RouterError(error.description)
        }
        guard let ending = child.wait(until: .now + configuration.timeout) else {
            child.stop()
            throw RouterError(
                "\(command) did not finish within \(configuration.timeout.shortText) and was killed"
                    + tail(errorPath, outputPath))
        }
        switch ending {
        case .exited(0):
            return
        case .exited(let status):
            throw RouterError(.refused, "\(command) exited with status \(status)" + tail(errorPath, outputPath))
        case .killed(let signal):
            throw RouterError(.refused, "\(command) was killed by signal \(signal)" + tail(errorPath, outputPath))
        }
    }

    /// `: <last characters of stderr>` (or of stdout when stderr is empty), or nothing.
    private func tail(_ errorPath: String, _ outputPath: String) -> String {
        for path in [errorPath, outputPath] {
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            let text = String(decoding: data.suffix(Self.tailLength * 4), as: UTF8.self)
                .trimmingWhitespace()
            guard !text.isEmpty else { continue }
            let line = text.replacing("\n", with: " | ")
            return ": " + (line.count > Self.tailLength ? "..." + line.suffix(Self.tailLength) : line)
        }
        return ""
    }
}

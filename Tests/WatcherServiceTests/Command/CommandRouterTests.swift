import Foundation
import HashrTestSupport
import Testing

@testable import WatcherService

/// The command router with real commands run by /bin/sh. A command blocks its caller until it
/// ends, so every router call runs off the cooperative pool.
@Suite(.timeLimit(.minutes(1))) struct CommandRouterTests {
    private func router(_ template: String, timeout: Duration = .seconds(5)) -> CommandRouter {
        CommandRouter(configuration: CommandRouterConfiguration(template: template, timeout: timeout))
    }

    /// The message of the error `template`'s router threw for `burstWeight`, or nil.
    private func failure(_ template: String, _ burstWeight: Int = 0, timeout: Duration = .seconds(5)) async throws
        -> String?
    {
        let router = router(template, timeout: timeout)
        return try await routerError { _ = try router.apply(burstWeight: burstWeight, reason: "x") }?.message
    }

    @Test func trueIsAChange() async throws {
        let router = router("true {state}")
        #expect(
            try await OffThePool.run { try router.apply(burstWeight: 100, reason: "x") } == RouterChange(changed: true))
    }

    @Test func falseIsAFailedChange() async throws {
        let router = router("false {state}")
        #expect(
            try await routerError { _ = try router.apply(burstWeight: 100, reason: "x") }
                == RouterError(.refused, "false burst exited with status 1"))
    }

    @Test func itCannotReadTheRoute() throws {
        #expect(try router("true {state}").readBurstWeight() == nil)
    }

    @Test func theStateIsSubstitutedAndExported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command =
            "echo {state} {weight} $BURST_STATE $BURST_WEIGHT \"$BURST_REASON\" > \(directory.path)/{state}.txt"
        let router = router(command)
        _ = try await OffThePool.run { try router.apply(burstWeight: 100, reason: "rate 20 rps") }
        _ = try await OffThePool.run { try router.apply(burstWeight: 0, reason: "idle") }
        #expect(directory.read("burst.txt") == "burst 100 burst 100 rate 20 rps\n")
        #expect(directory.read("natural.txt") == "natural 0 natural 0 idle\n")
    }

    @Test func theFailureQuotesTheTailOfStderr() async throws {
        let message = try await failure(
            "echo progress; echo 'error: the server could not find istio-manifests/{state}.yaml' >&2; exit 3")
        #expect(
            message?.hasSuffix("exited with status 3: error: the server could not find istio-manifests/natural.yaml")
                == true)
    }

    @Test func stdoutIsQuotedWhenStderrIsEmptyAndLongOutputIsCut() async throws {
        let message = try await failure("seq 1 1000; exit 2 # {state}")
        #expect(message?.contains("exited with status 2: ...") == true)
        #expect(message?.hasSuffix("998 | 999 | 1000") == true)
        #expect((message?.count ?? 0) < CommandRouter.tailLength + 100)
    }

    @Test func aHangingCommandIsKilledAtTheTimeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The sleep is a grandchild of the router's shell: killing only the shell would leave it
        // running. The inner shell notes a SIGTERM, which only a signal to the whole process group
        // delivers (the 2 s SIGKILL fallback would leave no note): no clock needed to tell them apart.
        let inner =
            "trap 'echo term > \(directory.path)/term; exit 0' TERM; sleep 30 & echo \\$! > \(directory.path)/pid; wait"
        let message = try await failure("sh -c \"\(inner)\" & wait # {state}", 100, timeout: .seconds(1))
        #expect(message?.contains("did not finish within 1s and was killed") == true, "\(message ?? "")")
        try await waitUntil("the inner shell noted SIGTERM", timeout: .seconds(30)) { directory.read("term") != nil }
        let sleeper = try #require(Int32(directory.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        // The signal is delivered asynchronously: give the sleeper a moment to act on it.
        try await waitUntil("the command's child is gone", timeout: .seconds(30)) { !Self.isRunning(sleeper) }
    }

    /// Alive and not a zombie (an orphan may wait a while for init to reap it).
    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(end, offsetBy: 2)...].hasPrefix("Z")
    }

    @Test func aSignalIsAFailedChange() async throws {
        let message = try await failure("kill -9 $$ # {state}")
        #expect(message == "kill -9 $$ # natural was killed by signal 9")
    }

    @Test func aMissingProgramIsAFailedChange() async throws {
        let message = try await failure("/nonexistent/kubectl apply -f {state}.yaml")
        #expect(message?.contains("exited with status 127") == true)
        #expect(message?.contains("not found") == true, "\(message ?? "")")
    }

    @Test func outOfRangeWeightsAreRefused() {
        // Refused before anything is started, so nothing blocks.
        #expect(
            routerErrorMessage { _ = try router("true {state}").apply(burstWeight: -1, reason: "x") }
                == "burst weight -1 is not in 0...100")
    }

    @Test func statesAndWeights() {
        let configuration = CommandRouterConfiguration(template: "apply {state} {weight} {state}")
        #expect(configuration.command(forBurstWeight: 0) == "apply natural 0 natural")
        #expect(configuration.command(forBurstWeight: 40) == "apply burst 40 burst")
        #expect(CommandRouterConfiguration.state(forBurstWeight: 100) == "burst")
    }
}

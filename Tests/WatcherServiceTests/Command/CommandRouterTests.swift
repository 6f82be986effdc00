import Foundation
import Testing

@testable import WatcherService

/// The command router with real commands run by /bin/sh.
@Suite(.timeLimit(.minutes(1))) struct CommandRouterTests {
    private func router(_ template: String, timeout: Duration = .seconds(5)) -> CommandRouter {
        CommandRouter(configuration: CommandRouterConfiguration(template: template, timeout: timeout))
    }


    @Test func trueIsAChange() throws {
        #expect(try router("true {state}").apply(burstWeight: 100, reason: "x") == RouterChange(changed: true))
    }

    @Test func falseIsAFailedChange() {
        #expect(
            routerErrorMessage { _ = try router("false {state}").apply(burstWeight: 100, reason: "x") }
                == "false burst exited with status 1")
    }

    @Test func itCannotReadTheRoute() throws {
        #expect(try router("true {state}").readBurstWeight() == nil)
    }

    @Test func theStateIsSubstitutedAndExported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command =
            "echo {state} {weight} $BURST_STATE $BURST_WEIGHT \"$BURST_REASON\" > \(directory.path)/{state}.txt"
        _ = try router(command).apply(burstWeight: 100, reason: "rate 20 rps")
        _ = try router(command).apply(burstWeight: 0, reason: "idle")
        #expect(directory.read("burst.txt") == "burst 100 burst 100 rate 20 rps\n")
        #expect(directory.read("natural.txt") == "natural 0 natural 0 idle\n")
    }

    @Test func theFailureQuotesTheTailOfStderr() {
        let message = routerErrorMessage {
            _ = try router(
                "echo progress; echo 'error: the server could not find istio-manifests/{state}.yaml' >&2; exit 3"
            )
            .apply(burstWeight: 0, reason: "x")
        }
        #expect(
            message?.hasSuffix("exited with status 3: error: the server could not find istio-manifests/natural.yaml")
                == true)
    }

    @Test func stdoutIsQuotedWhenStderrIsEmptyAndLongOutputIsCut() {
        let message = routerErrorMessage { _ = try router("seq 1 1000; exit 2 # {state}").apply(burstWeight: 0, reason: "x") }
        #expect(message?.contains("exited with status 2: ...") == true)
        #expect(message?.hasSuffix("998 | 999 | 1000") == true)
        #expect((message?.count ?? 0) < CommandRouter.tailLength + 100)
    }

    @Test func aHangingCommandIsKilledAtTheTimeout() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let started = ContinuousClock.now
        // The sleep is a child of the shell: killing only the shell would leave it running.
        let message = routerErrorMessage {
            _ = try router("sleep 30 & echo $! > \(directory.path)/pid; wait # {state}", timeout: .milliseconds(300))
                .apply(burstWeight: 100, reason: "x")
        }
        #expect(message?.contains("did not finish within 300ms and was killed") == true, "\(message ?? "")")
        // SIGTERM reached the process group, so this took well under the 2 s before SIGKILL.
        #expect(started.duration(to: .now) < .seconds(2))
        let sleeper = try #require(Int32(directory.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        // The signal is delivered asynchronously: give the sleeper a moment to act on it.
        let deadline = ContinuousClock.now + .seconds(3)
        while Self.isRunning(sleeper) && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(!Self.isRunning(sleeper), "the command's child survived")
    }

    /// Alive and not a zombie (an orphan may wait a while for init to reap it).
    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(end, offsetBy: 2)...].hasPrefix("Z")
    }

    @Test func aSignalIsAFailedChange() {
        let message = routerErrorMessage { _ = try router("kill -9 $$ # {state}").apply(burstWeight: 0, reason: "x") }
        #expect(message == "kill -9 $$ # natural was killed by signal 9")
    }

    @Test func aMissingProgramIsAFailedChange() {
        let message = routerErrorMessage {
            _ = try router("/nonexistent/kubectl apply -f {state}.yaml").apply(burstWeight: 0, reason: "x")
        }
        #expect(message?.contains("exited with status 127") == true)
        #expect(message?.contains("not found") == true, "\(message ?? "")")
    }

    @Test func outOfRangeWeightsAreRefused() {
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

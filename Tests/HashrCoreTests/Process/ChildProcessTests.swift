import Foundation
import HashrCore
import HashrTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The core's posix_spawn child: endings, outputs, environment, signals and refusals.
@Suite struct ChildProcessTests {
    private func shell(_ script: String, environment: [String: String]? = nil, output: ChildProcess.Stream = .discarded)
        throws -> ChildProcess
    {
        try ChildProcess.spawn("/bin/sh", arguments: ["-c", script], environment: environment, standardOutput: output)
    }

    @Test func reportsTheExitStatusAndTheKillingSignal() throws {
        #expect(try shell("exit 0").waitForExit() == .exited(0))
        #expect(try shell("exit 7").waitForExit() == .exited(7))
        #expect(try shell("kill -KILL $$").waitForExit() == .killed(signal: SIGKILL))
    }

    @Test func writesItsOutputsWhereItIsTold() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try ChildProcess.spawn(
            "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], standardOutput: .file("\(directory.path)/out"),
            standardError: .file("\(directory.path)/err"))
        #expect(child.waitForExit() == .exited(0))
        #expect(directory.read("out") == "out\n")
        #expect(directory.read("err") == "err\n")
    }

    @Test func getsExactlyTheEnvironmentItIsGiven() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try shell(
            "echo \"$GREETING|${HOME:-none}\"", environment: ["GREETING": "hello world"],
            output: .file("\(directory.path)/out"))
        #expect(child.waitForExit() == .exited(0))
        #expect(directory.read("out") == "hello world|none\n")
    }

    /// A socket the parent closes must close for its peer: the child must not hold a copy.
    @Test func inheritsNoDescriptorButItsStandardStreams() throws {
        var ends: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)  // not close-on-exec
        defer { ends.forEach { close($0) } }
        let child = try shell("test -e /proc/self/fd/\(ends[1]) || test -e /proc/self/fd/\(ends[0])")
        #expect(child.waitForExit() == .exited(1))
    }

    @Test func findsAProgramOnThePath() throws {
        #expect(try ChildProcess.spawn("true", arguments: []).waitForExit() == .exited(0))
    }

    @Test func aMissingProgramIsAClearFailure() {
        #expect {
            try ChildProcess.spawn("/nonexistent/hashr-program", arguments: [])
        } throws: { error in
            "\(error)".contains("cannot start /nonexistent/hashr-program: No such file or directory")
        }
    }

    /// The reason the core does not use Foundation's `Process`: a child started from a thread that
    /// blocks every signal (as Dispatch's and libuv's do) must still be stoppable with SIGTERM.
    @Test func sigtermStopsAChildStartedFromAThreadThatBlocksSignals() async throws {
        let child = try await OffThePool.run {
            var all = sigset_t()
            sigfillset(&all)
            var previous = sigset_t()
            pthread_sigmask(SIG_SETMASK, &all, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            return try ChildProcess.spawn("sleep", arguments: ["30"])
        }
        child.signal(SIGTERM)
        #expect(child.waitForExit() == .killed(signal: SIGTERM))
    }

    @Test func waitingWithADeadlineLeavesARunningChildRunning() throws {
        let child = try ChildProcess.spawn("sleep", arguments: ["30"])
        #expect(child.wait(until: .now) == nil)
        child.stop(grace: .seconds(5))
        #expect(child.wait(until: .now) == .exited(-1))  // reaped by stop
    }

    @Test func stopReachesWhatAShellStartedInItsGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The shell ignores SIGTERM and waits for a background sleep; stop must end both.
        let child = try ChildProcess.spawn(
            "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30 & echo $! > \(directory.path)/pid; wait"])
        try await waitUntil("the shell wrote its child's pid") { directory.read("pid")?.hasSuffix("\n") == true }
        let grandchild = try #require(directory.read("pid").flatMap { Int32($0.dropLast()) })
        child.stop(grace: .milliseconds(200))
        try await waitUntil("the background sleep is gone") { Self.isGone(grandchild) }
    }

    /// Gone or a zombie (an orphan is reaped by whoever adopted it, maybe late or never).
    private static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}

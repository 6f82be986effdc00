import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, that can be waited for with a deadline and killed
/// (with its own process group, when it has one).
///
/// Foundation's `Process` is not used: its children inherit the spawning thread's signal mask, and
/// the threads that run blocking work (Dispatch's, libuv's pool) block every signal, so such a child
/// ignores SIGTERM forever; and on this toolchain its `run()` over-reads the `/proc/self/fd` listing
/// when the parent has many descriptors open (swift-corelibs-foundation PR #5472), which crashed
/// test runs. Here the mask is cleared and common signals are reset to their defaults, so a
/// command behaves as if started from a shell. The child gets only stdin, stdout and stderr: every
/// other descriptor is closed in it (as `Process` did), or a child that outlives a connection keeps
/// it open after the parent closed its end, and the peer never sees it close.
public struct ChildProcess: Sendable {
    /// How a child ended.
    public enum Ending: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case killed(signal: Int32)

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .killed(let signal): "signal \(signal)"
            }
        }
    }

    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case discarded
        /// A file, created or truncated (mode 0600).
        case file(String)
        /// A descriptor of the parent's (e.g. a pipe's write end), duplicated into the child.
        case descriptor(Int32)
    }

    /// `posix_spawn` refused (the program is missing, not executable, ...).
    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let pid: pid_t
    /// Whether the child leads its own process group (then `stop` signals the whole group).
    public let leadsGroup: Bool

    /// Signals whose handling is reset to the default in the child (ignored ones stay ignored
    /// through exec otherwise, e.g. SIGPIPE, which many servers ignore).
    private static let resetSignals = [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2]

    /// Starts `executable` (looked up on PATH when it has no `/`) with stdin from /dev/null.
    /// `environment` nil inherits the parent's. `ownGroup` puts the child (and what it starts) in a
    /// process group of its own, so `stop` reaches a shell's children too.
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        standardOutput: Stream = .discarded, standardError: Stream = .discarded,
        ownGroup: Bool = true
    ) throws(SpawnFailure) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in resetSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, stream) in [(Int32(1), standardOutput), (2, standardError)] {
            switch stream {
            case .discarded: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { (argv + (envp ?? [])).forEach { free($0) } }
        var pid = pid_t()
        let result =
            if let envp { posix_spawnp(&pid, executable, &actions, &attributes, argv, envp) } else {
                posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
            }
        guard result == 0 else {
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, leadsGroup: ownGroup)
    }

    /// Waits until the child ends or `deadline` passes (then nil, and the child still runs). Reaps
    /// the child: ask once per ending (a second call answers `.exited(-1)`).
    public func wait(until deadline: ContinuousClock.Instant) -> Ending? {
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return Self.ending(status) }
            if result < 0 && errno != EINTR { return .exited(-1) }  // already reaped by someone else
            if ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// Blocks until the child ends, and reaps it.
    public func waitForExit() -> Ending {
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, 0) == pid { return Self.ending(status) }
            if errno != EINTR { return .exited(-1) }
        }
    }

    /// Sends `signal` to the child (to its group when it leads one).
    public func signal(_ signal: Int32) {
        kill(leadsGroup ? -pid : pid, signal)
    }

    /// SIGTERM (to the group when it leads one: a shell and what it started); SIGKILL if still
    /// there after `grace`. Reaps the child.
    public func stop(grace: Duration = .seconds(2)) {
        signal(SIGTERM)
        if wait(until: .now + grace) == nil {
            signal(SIGKILL)
            _ = waitForExit()
        }
    }

    /// Decodes a wait status (the WIFEXITED/WTERMSIG macros are not visible to Swift).
    private static func ending(_ status: Int32) -> Ending {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .killed(signal: signal)
    }
}

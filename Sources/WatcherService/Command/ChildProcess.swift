#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, in its own process group, that can be waited for
/// with a deadline and killed together with its children.
///
/// Foundation's `Process` is not used because its children inherit the spawning thread's signal
/// mask, and the threads that run blocking work (Dispatch's, libuv's pool) block every signal:
/// such a child ignores SIGTERM forever. Here the mask is cleared and common signals are reset
/// to their defaults, so a command behaves as if started from a shell.
struct ChildProcess {
    /// How a child ended.
    enum Ending: Equatable {
        case exited(Int32)
        case killed(signal: Int32)
    }

    let pid: pid_t

    /// Signals whose handling is reset to the default in the child (ignored ones stay ignored
    /// through exec otherwise, e.g. SIGPIPE, which many servers ignore).
    private static let resetSignals = [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2]

    /// Starts `executable` with stdin from /dev/null and stdout/stderr written to the given files.
    static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], standardOutput: String,
        standardError: String
    ) throws(RouterError) -> ChildProcess {
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
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw RouterError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Waits until the child ends or `deadline` passes (then nil, and the child still runs).
    func wait(until deadline: ContinuousClock.Instant) -> Ending? {
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return Self.ending(status) }
            if result < 0 && errno != EINTR { return .exited(-1) }  // already reaped by someone else
            if ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// SIGTERM to the whole group (the shell and what it started); SIGKILL if still there after
    /// `grace`. Reaps the child.
    func stop(grace: Duration = .seconds(2)) {
        kill(-pid, SIGTERM)
        if wait(until: .now + grace) == nil {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Decodes a wait status (the WIFEXITED/WTERMSIG macros are not visible to Swift).
    private static func ending(_ status: Int32) -> Ending {
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .killed(signal: signal)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Process {
    /// Blocks until the process has ended and returns its exit status (or the signal that ended it).
    ///
    /// Not `waitUntilExit`: that spins a run loop until Foundation's exit handler has run on a
    /// libdispatch thread, and on Linux those are the cooperative pool's threads. Called from tests'
    /// deinits on both pool threads at once (a HAProxy and a redis-server stopped together), it never
    /// returned: nothing was left to run the handler. `waitid` with `WNOWAIT` waits in the kernel and
    /// leaves the child for Foundation to reap, so `terminationStatus` may not be set yet (it traps
    /// while `isRunning`): use the status this returns.
    @discardableResult
    public func waitForExit() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else {
                // Already reaped by Foundation's handler, which records the status right after.
                while isRunning { usleep(1_000) }
                return terminationStatus
            }
        }
        return info._sifields._sigchld.si_status
    }
}

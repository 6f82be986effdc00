import Foundation
import HashrCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program a test runs (redis-server, haproxy, prometheus, python3 fixtures, openssl, our own
/// services), started with the core's `ChildProcess` (posix_spawn; see there why not Foundation's
/// `Process`). Killed and reaped when the object goes, so a test that throws early leaves nothing
/// running. Stdin is /dev/null; the outputs go where the caller says (files, not the test's own
/// stderr: a program that outlived the test would hold `swift test`'s pipe open forever).
public final class TestChild: Sendable {
    public let process: ChildProcess
    /// The ending, once the child has been reaped (waitpid answers only once).
    private let ending = Mutex<ChildProcess.Ending?>(nil)
    /// The parent's end of the stdout socket of `startReadingFirstLine`, kept open so that later output
    /// does not kill the child with SIGPIPE.
    private let outputReader: Int32?

    public var pid: Int32 { process.pid }

    public convenience init(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil,
        standardOutput: ChildProcess.Stream = .discarded, standardError: ChildProcess.Stream = .discarded
    ) throws {
        self.init(
            try Self.spawn(program, arguments, environment, standardOutput, standardError),
            outputReader: nil)
    }

    private init(_ process: ChildProcess, outputReader: Int32?) {
        self.process = process
        self.outputReader = outputReader
    }

    deinit {
        kill()
        if let outputReader { close(outputReader) }
    }

    /// Starts a long-running program and waits for the first line it prints (e.g. its port);
    /// stderr goes to `errorFile`, which the failure quotes if the program ends first.
    public static func startReadingFirstLine(_ program: String, _ arguments: [String], errorFile: String) throws
        -> (child: TestChild, firstLine: String)
    {
        // A socket pair, not pipe(): it can be made close-on-exec atomically (pipe2 is not visible
        // to Swift), so a child another test spawns at the same moment cannot inherit the write end
        // and keep the EOF we wait for from coming.
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw CommandFailure(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        let process: ChildProcess
        do {
            process = try spawn(program, arguments, nil, .descriptor(ends[1]), .file(errorFile))
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])  // the child has its own copy: EOF when it ends
        let child = TestChild(process, outputReader: ends[0])
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !line.contains(0x0A) {
            let count = read(ends[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let ending = child.waitForExit()
                let errors = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
                throw CommandFailure(description: "\(program) ended (\(ending)) before it was ready: \(errors)")
            }
            line += buffer[..<count]
        }
        return (child, String(decoding: line.prefix { $0 != 0x0A }, as: UTF8.self))
    }

    /// Runs `program` to completion and returns its stdout; a non-zero exit throws with its stderr.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws -> String {
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let child = try TestChild(
            program, arguments, standardOutput: .file("\(files.path)/out"),
            standardError: .file("\(files.path)/err"))
        let ending = child.waitForExit()
        guard ending == .exited(0) else {
            throw CommandFailure(
                description: "\(program) \(arguments.joined(separator: " ")) failed (\(ending)): \(files.read("err") ?? "")")
        }
        return files.read("out") ?? ""
    }

    /// Whether the child still runs (reaps it if it has ended).
    public var isRunning: Bool {
        ending.withLock { ending in
            if ending == nil { ending = process.wait(until: .now) }
            return ending == nil
        }
    }

    /// Blocks until the child has ended.
    @discardableResult
    public func waitForExit() -> ChildProcess.Ending {
        ending.withLock { ending in
            if let ending { return ending }
            let ended = process.waitForExit()
            ending = ended
            return ended
        }
    }

    /// Sends `signal` unless the child has been reaped (its pid may belong to another process then).
    public func signal(_ signal: Int32) {
        ending.withLock { ending in
            if ending == nil { Glibc.kill(process.pid, signal) }
        }
    }

    /// SIGKILL, as a crash would, and waits until the child is gone.
    public func kill() {
        signal(SIGKILL)
        waitForExit()
    }

    private static func spawn(
        _ program: String, _ arguments: [String], _ environment: [String: String]?, _ standardOutput: ChildProcess.Stream, _ standardError: ChildProcess.Stream
    ) throws -> ChildProcess {
        do {
            return try ChildProcess.spawn(
                program, arguments: arguments, environment: environment, standardOutput: standardOutput, standardError: standardError, ownGroup: false)
        } catch {
            throw CommandFailure(description: "\(error.description) (is Debian's package for it installed?)")
        }
    }
}

import Foundation

/// Runs programs the tests depend on (openssl, python3, haproxy), failing loudly when missing.
enum ExternalTool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `program` (looked up on PATH) to completion and returns its stdout.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], in directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        let status = waitForExit(process)
        guard status == 0 else {
            throw Failure(
                description: "\(program) \(arguments.joined(separator: " ")) failed (\(status)): "
                    + String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: outData, as: UTF8.self)
    }

    /// Starts a long-running program and waits for the first line it prints (e.g. its port). Its
    /// stderr goes to `errorFile` (not the test's own: a program that outlived a crashed or abandoned
    /// test would hold `swift test`'s pipe open, and the run would never end).
    static func start(_ program: String, _ arguments: [String], errorFile: String) throws
        -> (process: Process, firstLine: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe()
        process.standardOutput = output
        FileManager.default.createFile(atPath: errorFile, contents: nil)
        let errors = FileHandle(forWritingAtPath: errorFile)
        process.standardError = errors
        try process.run()
        try? errors?.close()  // the child has its own copy
        var line: [UInt8] = []
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                let status = waitForExit(process)
                let errors = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
                throw Failure(description: "\(program) exited (\(status)) before it was ready: \(errors)")
            }
            line.append(contentsOf: chunk)
            if let newline = line.firstIndex(of: 0x0A) {
                return (process, String(decoding: line[..<newline], as: UTF8.self))
            }
        }
    }

    /// SIGKILL, then waits for the process to end. Not SIGTERM: Foundation's children inherit the
    /// test thread's signal mask, which blocks SIGTERM, so they would never see it.
    static func stop(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        waitForExit(process)
    }

    /// Blocks until `process` has ended and returns its exit status (or the signal that ended it).
    ///
    /// Not `Process.waitUntilExit`: that spins a run loop until Foundation's exit handler has run on
    /// a libdispatch thread, and on Linux those are the cooperative pool's threads. Called from a
    /// test's deinit on both pool threads at once (a HAProxy and a redis-server stopped together), it
    /// never returned: nothing was left to run the handler. `waitid` with `WNOWAIT` waits in the
    /// kernel and leaves the child for Foundation to reap.
    @discardableResult
    static func waitForExit(_ process: Process) -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOWAIT) < 0 {
            guard errno == EINTR else {
                // Already reaped by Foundation's handler, which records the status right after.
                while process.isRunning { usleep(1_000) }
                return process.terminationStatus
            }
        }
        return info._sifields._sigchld.si_status
    }
}

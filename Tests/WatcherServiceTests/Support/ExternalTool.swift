import Foundation
import HashrTestSupport

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
        let status = process.waitForExit()
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
                let status = process.waitForExit()
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
        process.waitForExit()
    }
}

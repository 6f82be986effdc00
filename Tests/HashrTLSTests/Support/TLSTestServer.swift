import Foundation
import HashrTestSupport

/// `Fixtures/tls_server.py` in one of its modes, on a free loopback port; stopped on deinit.
final class TLSTestServer: @unchecked Sendable {
    enum Mode {
        case tls(TestCertificates)
        case plain
        case silent
    }

    let port: Int
    private let process: Process

    init(_ mode: Mode) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tls_server.py").path
        var arguments = [script]
        switch mode {
        case .tls(let certificates): arguments += ["tls", certificates.certificateFile, certificates.keyFile]
        case .plain: arguments.append("plain")
        case .silent: arguments.append("silent")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line: [UInt8] = []
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                let status = process.waitForExit()
                throw CommandFailure(description: "tls_server.py exited (\(status)) before it listened")
            }
            line.append(contentsOf: chunk)
        }
        guard let port = Int(String(decoding: line.prefix { $0 != 0x0A }, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw CommandFailure(description: "tls_server.py printed no port")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the test process may pass SIGTERM on ignored. No waitUntilExit: on a loaded
        // machine Foundation's can spin on a cooperative thread long after the child is gone (seen in
        // RedisServerProcess); Foundation reaps the child by itself.
        kill(process.processIdentifier, SIGKILL)
    }
}

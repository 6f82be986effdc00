import Foundation
import HashrTestSupport

/// `Fixtures/tls_server.py` in one of its modes, on a free loopback port; stopped on deinit.
final class TLSTestServer: Sendable {
    enum Mode {
        case tls(TestCertificates)
        case plain
        case silent
    }

    let port: Int
    private let child: TestChild
    private let errors: TemporaryDirectory

    init(_ mode: Mode) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tls_server.py").path
        var arguments = ["-u", script]
        switch mode {
        case .tls(let certificates): arguments += ["tls", certificates.certificateFile, certificates.keyFile]
        case .plain: arguments.append("plain")
        case .silent: arguments.append("silent")
        }
        errors = try TemporaryDirectory()
        let started = try TestChild.startReadingFirstLine("python3", arguments, errorFile: "\(errors.path)/stderr")
        child = started.child
        guard let port = Int(started.firstLine) else {
            throw CommandFailure(description: "tls_server.py printed \(started.firstLine), not a port")
        }
        self.port = port
    }

    deinit {
        child.kill()
        errors.remove()
    }
}

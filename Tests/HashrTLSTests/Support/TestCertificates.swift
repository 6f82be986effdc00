import Foundation
import HashrTestSupport

/// Certificates made with the openssl CLI, once per test run: a CA, a server certificate it signs
/// for IP 127.0.0.1 and DNS name `tls.test` only, and an unrelated CA.
struct TestCertificates: Sendable {
    let directory: String
    var caFile: String { "\(directory)/ca.crt" }
    var otherCAFile: String { "\(directory)/other-ca.crt" }
    var certificateFile: String { "\(directory)/server.crt" }
    var keyFile: String { "\(directory)/server.key" }

    private static let shared: Result<TestCertificates, CommandFailure> = {
        do {
            return .success(try make())
        } catch let failure as CommandFailure {
            return .failure(failure)
        } catch {
            return .failure(CommandFailure(description: "cannot make test certificates: \(error)"))
        }
    }()

    static func get() throws -> TestCertificates { try shared.get() }

    private static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hashr-tls-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try openssl(
                ["req", "-x509"] + curve + ["-keyout", "\(name).key", "-out", "\(name).crt", "-days", "2", "-subj", "/CN=test-\(name)"],
                in: directory)
        }
        try openssl(["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=tls.test"], in: directory)
        try "subjectAltName=IP:127.0.0.1,DNS:tls.test\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
            .write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        try openssl(
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "server.ext",
            ], in: directory)
        return TestCertificates(directory: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let status = process.waitForExit()
        guard status == 0 else {
            throw CommandFailure(description: "openssl \(arguments.joined(separator: " ")) failed (\(status))")
        }
    }
}

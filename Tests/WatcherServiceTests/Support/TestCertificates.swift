import Foundation

/// A CA and a server certificate for 127.0.0.1 made with the openssl CLI, once per test run,
/// plus an unrelated CA that must not be trusted.
struct TestCertificates: Sendable {
    let directory: String
    var caFile: String { "\(directory)/ca.crt" }
    var otherCAFile: String { "\(directory)/other-ca.crt" }
    var certificateFile: String { "\(directory)/server.crt" }
    var keyFile: String { "\(directory)/server.key" }

    static let shared: Result<TestCertificates, ExternalTool.Failure> = {
        do {
            return .success(try make())
        } catch {
            return .failure(ExternalTool.Failure(description: "cannot make test certificates: \(error)"))
        }
    }()

    static func get() throws -> TestCertificates { try shared.get() }

    private static func make() throws -> TestCertificates {
        let directory = try TemporaryDirectory()
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try ExternalTool.run(
                "openssl",
                ["req", "-x509"] + curve + [
                    "-keyout", "\(name).key", "-out", "\(name).crt", "-days", "2",
                    "-subj", "/CN=standin-\(name)",
                ], in: directory.path)
        }
        try ExternalTool.run(
            "openssl", ["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            in: directory.path)
        try directory.write(
            "server.ext",
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
        )
        try ExternalTool.run(
            "openssl",
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "2", "-extfile", "server.ext",
            ], in: directory.path)
        return TestCertificates(directory: directory.path)
    }
}

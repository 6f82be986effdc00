/// Certificates made with the openssl CLI, once per test process: a CA, a server certificate it
/// signs for IP 127.0.0.1 and DNS name `tls.test` only, and an unrelated CA that must not be trusted.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { "\(directory)/ca.crt" }
    public var otherCAFile: String { "\(directory)/other-ca.crt" }
    public var certificateFile: String { "\(directory)/server.crt" }
    public var keyFile: String { "\(directory)/server.key" }

    private static let shared: Result<TestCertificates, CommandFailure> = {
        do {
            return .success(try make())
        } catch let failure as CommandFailure {
            return .failure(failure)
        } catch {
            return .failure(CommandFailure(description: "cannot make test certificates: \(error)"))
        }
    }()

    public static func get() throws -> TestCertificates { try shared.get() }

    private static func make() throws -> TestCertificates {
        let directory = try TemporaryDirectory()
        let folder = directory.path
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try TestChild.run(
                "openssl",
                ["req", "-x509"] + curve + [
                    "-keyout", "\(folder)/\(name).key", "-out", "\(folder)/\(name).crt", "-days", "2",
                    "-subj", "/CN=test-\(name)",
                ])
        }
        try TestChild.run(
            "openssl",
            ["req"] + curve + ["-keyout", "\(folder)/server.key", "-out", "\(folder)/server.csr", "-subj", "/CN=tls.test"])
        try directory.write(
            "server.ext",
            "subjectAltName=IP:127.0.0.1,DNS:tls.test\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                + "extendedKeyUsage=serverAuth\n")
        try TestChild.run(
            "openssl",
            [
                "x509", "-req", "-in", "\(folder)/server.csr", "-CA", "\(folder)/ca.crt", "-CAkey", "\(folder)/ca.key",
                "-CAcreateserial", "-out", "\(folder)/server.crt", "-days", "2", "-extfile", "\(folder)/server.ext",
            ])
        return TestCertificates(directory: folder)
    }
}

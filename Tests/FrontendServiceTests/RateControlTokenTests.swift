import Foundation
import HashrCore
import Testing

@testable import FrontendService

/// The rate-control key: where it comes from, what is refused at start, and how it is compared.
@Suite struct RateControlTokenTests {
    static let key = "correct-horse-battery-staple-42"

    /// A file in a fresh temporary folder holding `bytes`; the folder is removed by `body`'s end.
    static func withFile(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rate-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("token").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try body(path)
    }

    @Test func noKeyMeansOpenRateControl() throws {
        #expect(try FrontendConfiguration(environment: EnvironmentReader([:])).rateControlToken == nil)
    }

    @Test func theKeyComesFromTheVariableOrTheFileWithoutItsLineEnd() throws {
        let direct = try #require(
            try FrontendConfiguration(environment: EnvironmentReader(["RATE_CONTROL_TOKEN": Self.key])).rateControlToken
        )
        #expect(direct.matches(Array(Self.key.utf8)))
        for ending in ["", "\n", "\r\n", "\n\n"] {
            try Self.withFile(Array((Self.key + ending).utf8)) { path in
                let configuration = try FrontendConfiguration(
                    environment: EnvironmentReader(["RATE_CONTROL_TOKEN_FILE": path]))
                let token = try #require(configuration.rateControlToken)
                #expect(token.matches(Array(Self.key.utf8)), "ending \(ending.debugDescription)")
                #expect(!token.matches(Array((Self.key + ending).utf8)) || ending.isEmpty)
            }
        }
    }

    /// Every refusal names the variable and never holds the key.
    static func refusal(_ environment: [String: String], _ secret: String) -> ConfigurationError {
        do {
            _ = try FrontendConfiguration(environment: EnvironmentReader(environment))
        } catch let error as ConfigurationError {
            // "-": nothing secret in that setting (an empty value, a path).
            if secret != "-" { #expect(!error.description.contains(secret), "\(error)") }
            #expect(error.description.contains("RATE_CONTROL_TOKEN"))
            return error
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
        }
        Issue.record("\(environment.keys.sorted()) was accepted")
        return ConfigurationError(variable: "", value: "", expected: "")
    }

    @Test func unusableKeysAreRefusedAtStartWithoutShowingThem() throws {
        #expect(Self.refusal(["RATE_CONTROL_TOKEN": ""], "-").expected.contains("non-empty"))
        #expect(Self.refusal(["RATE_CONTROL_TOKEN": "short-secret-15"], "short-secret-15").expected.contains("16"))
        #expect(
            Self.refusal(["RATE_CONTROL_TOKEN": "with a space inside it"], "with a space").expected.contains(
                "visible ASCII"))
        #expect(
            Self.refusal(["RATE_CONTROL_TOKEN": "clé-secrète-très-longue"], "secrète").expected.contains(
                "visible ASCII"))
        let long = String(repeating: "k", count: RateControlToken.maximumLength + 1)
        #expect(Self.refusal(["RATE_CONTROL_TOKEN": long], long).expected.contains("4096"))
        let both = Self.refusal(["RATE_CONTROL_TOKEN": Self.key, "RATE_CONTROL_TOKEN_FILE": "/tmp/x"], Self.key)
        #expect(both.variable == "RATE_CONTROL_TOKEN_FILE" && both.expected.contains("not both"))
        #expect(Self.refusal(["RATE_CONTROL_TOKEN_FILE": ""], "-").variable == "RATE_CONTROL_TOKEN_FILE")
        let missing = Self.refusal(["RATE_CONTROL_TOKEN_FILE": "/nonexistent/rate-key"], "-")
        #expect(missing.value == "/nonexistent/rate-key" && missing.expected.contains("readable"))
        try Self.withFile([]) { path in
            #expect(Self.refusal(["RATE_CONTROL_TOKEN_FILE": path], "-").expected.contains("non-empty"))
        }
        try Self.withFile(Array("\n".utf8)) { path in
            #expect(Self.refusal(["RATE_CONTROL_TOKEN_FILE": path], "-").expected.contains("non-empty"))
        }
        try Self.withFile(Array("too-short\n".utf8)) { path in
            let error = Self.refusal(["RATE_CONTROL_TOKEN_FILE": path], "too-short")
            #expect(error.value == path && error.expected.contains("16"))
        }
        try Self.withFile(Array(Self.key.utf8) + [0xFF, 0x0A]) { path in
            #expect(Self.refusal(["RATE_CONTROL_TOKEN_FILE": path], Self.key).expected.contains("visible ASCII"))
        }
        // A folder is not a readable file.
        #expect(Self.refusal(["RATE_CONTROL_TOKEN_FILE": "/tmp"], "-").variable == "RATE_CONTROL_TOKEN_FILE")
    }

    @Test func matchingIsExactOverTheWholeLengthOfBoth() {
        let token = RateControlToken(Self.key)
        #expect(token.matches(Array(Self.key.utf8)))
        #expect(!token.matches([]))
        #expect(!token.matches(Array(Self.key.dropLast().utf8)), "a prefix")
        #expect(!token.matches(Array((Self.key + "x").utf8)), "an extension")
        #expect(!token.matches(Array((Self.key + "\0").utf8)), "a trailing NUL")
        #expect(!token.matches(Array(Self.key.uppercased().utf8)), "another case")
        #expect(!token.matches(Array(Self.key.utf8) + [UInt8](repeating: 0, count: 10_000)))
        var flipped = Array(Self.key.utf8)
        flipped[flipped.count - 1] ^= 1
        #expect(!token.matches(flipped), "the last byte")
    }

    @Test func theKeyNeverShowsInItsDescription() throws {
        let token = RateControlToken(Self.key)
        #expect(!"\(token)".contains(Self.key))
        #expect(!String(reflecting: token).contains(Self.key))
        var configuration = FrontendConfiguration()
        configuration.rateControlToken = token
        #expect(!"\(configuration)".contains(Self.key))
    }
}

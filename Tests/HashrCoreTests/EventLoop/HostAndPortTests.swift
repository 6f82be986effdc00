import Testing

@testable import HashrCore

@Suite struct HostAndPortTests {
    @Test(arguments: [
        ("127.0.0.1:6379", HostAndPort(host: "127.0.0.1", port: 6379)),
        ("redis-host:7000", HostAndPort(host: "redis-host", port: 7000)),
        ("[::1]:8080", HostAndPort(host: "::1", port: 8080)),
        ("[fe80::1%eth0]:1", HostAndPort(host: "fe80::1%eth0", port: 1)),
        ("host:65535", HostAndPort(host: "host", port: 65535)),
        ("host:080", HostAndPort(host: "host", port: 80)),
    ])
    func reads(_ text: String, _ expected: HostAndPort) throws {
        #expect(try HostAndPort(parsing: text) == expected)
        #expect(try HostAndPort(parsing: text, defaultPort: 1) == expected)
    }

    @Test(arguments: [
        ("localhost", HostAndPort(host: "localhost", port: 80)),
        ("[::1]", HostAndPort(host: "::1", port: 80)),
        ("10.0.0.5", HostAndPort(host: "10.0.0.5", port: 80)),
    ])
    func theDefaultPortFillsIn(_ text: String, _ expected: HostAndPort) throws {
        #expect(try HostAndPort(parsing: text, defaultPort: 80) == expected)
    }

    @Test(arguments: [
        ("localhost", HostAndPort.ParseError.missingPort),
        ("[::1]", .missingPort),
        ("host:", .missingPort),
        ("[::1]:", .missingPort),
        ("host:0", .badPort("0")),
        ("host:65536", .badPort("65536")),
        ("host:99999999999999999999", .badPort("99999999999999999999")),
        ("host:-1", .badPort("-1")),
        ("host:+80", .badPort("+80")),
        ("host:http", .badPort("http")),
        ("host: 80", .badPort(" 80")),
        (":6379", .emptyHost),
        ("", .emptyHost),
        ("[]:80", .emptyHost),
        ("ho st:80", .whitespaceInHost),
        ("ho\tst:80", .whitespaceInHost),
        ("[::1", .unclosedBracket),
        ("[::1]8080", .unexpectedAfterBracket),
        ("[::1]]:80", .unexpectedAfterBracket),
        ("::1", .unbracketedIPv6),
        ("::1:8080", .unbracketedIPv6),
        ("a:b:c", .unbracketedIPv6),
    ])
    func rejects(_ text: String, _ error: HostAndPort.ParseError) {
        #expect(throws: error) { try HostAndPort(parsing: text) }
    }

    @Test func aMissingPortIsFineOnlyWithADefault() throws {
        #expect(try HostAndPort(parsing: "cache", defaultPort: 6379).port == 6379)
        #expect(throws: HostAndPort.ParseError.missingPort) { try HostAndPort(parsing: "cache:", defaultPort: 6379) }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect("\(HostAndPort.ParseError.badPort("70000"))" == "the port '70000' is not a number from 1 to 65535")
        #expect("\(HostAndPort.ParseError.unbracketedIPv6)" == "an IPv6 address needs brackets: [address]:port")
    }

    @Test(arguments: ["127.0.0.1:9999", "[::1]:8080", "name:1"])
    func itsDescriptionReadsBack(_ text: String) throws {
        let address = try HostAndPort(parsing: text)
        #expect(address.description == text)
        #expect(try HostAndPort(parsing: address.description) == address)
    }

    @Test func bracketedHost() {
        #expect(HostAndPort(host: "::1", port: 80).bracketedHost == "[::1]")
        #expect(HostAndPort(host: "example.com", port: 80).bracketedHost == "example.com")
    }
}

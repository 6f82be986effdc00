import Testing

@testable import HashrCore

/// Header names compare ASCII-case-insensitively, byte by byte; lookups go through this.
@Suite struct HTTPHeadersTests {
    @Test func namesEqualButForTheCaseOfASCIILettersMatch() {
        #expect("Content-Length".equalsIgnoringASCIICase("content-length"))
        #expect("X-ABC-1".equalsIgnoringASCIICase("x-abc-1"))
        #expect("".equalsIgnoringASCIICase(""))
        // A substring's string and a literal: both compared by their bytes.
        let built = String("xx-Host".dropFirst(3))
        #expect(built.equalsIgnoringASCIICase("HOST"))
    }

    @Test func othersDoNot() {
        #expect(!"Content-Length".equalsIgnoringASCIICase("content-lengt"))
        #expect(!"host".equalsIgnoringASCIICase("hosts"))
        // Bytes 0x20 apart that are not letters: `@` and a backquote, `[` and `{`, `-` and `\r`.
        #expect(!"a@".equalsIgnoringASCIICase("a`"))
        #expect(!"[".equalsIgnoringASCIICase("{"))
        #expect(!"-".equalsIgnoringASCIICase("\r"))
        // Non-ASCII letters are compared exactly.
        #expect(!"é".equalsIgnoringASCIICase("É"))
        #expect("é".equalsIgnoringASCIICase("é"))
    }

    @Test func lookupsUseIt() {
        let headers = HTTPHeaders([("Content-Type", "text/plain"), ("CONNECTION", "Keep-Alive, close")])
        #expect(headers["content-type"] == "text/plain")
        #expect(headers.contains("connection"))
        #expect(headers.hasToken("Connection", "close"))
        #expect(headers["content-length"] == nil)
    }
}

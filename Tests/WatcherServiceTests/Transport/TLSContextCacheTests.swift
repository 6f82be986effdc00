import Foundation
import HashrCore
import HashrTestSupport
import Testing

@testable import WatcherService

/// One OpenSSL context while the CA file stays the same; a new one when it changes.
@Suite struct TLSContextCacheTests {
    @Test func keptWhileTheFileIsUnchangedRemadeWhenItChanges() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let certificates = try TestCertificates.get()
        // Atomic writes (a new file renamed over the old, as Kubernetes swaps a mounted file): a new inode.
        try folder.write("ca.crt", try String(contentsOfFile: certificates.caFile, encoding: .utf8))
        let cache = TLSContextCache(certificateAuthorityFile: "\(folder.path)/ca.crt")
        let first = try cache.context()
        #expect(try cache.context() === first)
        try folder.write("ca.crt", try String(contentsOfFile: certificates.otherCAFile, encoding: .utf8))
        let second = try cache.context()
        #expect(second !== first)
        #expect(try cache.context() === second)
    }

    @Test func theSystemStoreIsReadOnce() throws {
        let cache = TLSContextCache(certificateAuthorityFile: nil)
        #expect(try cache.context() === cache.context())
    }

    @Test func aMissingFileFailsEachTimeAndIsNotKept() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = TLSContextCache(certificateAuthorityFile: "\(folder.path)/none.crt")
        for _ in 0..<2 {
            #expect(throws: HTTPClientError.self) { try cache.context() }
        }
    }

    @Test func fileVersionsTellFilesApart() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("a", "one")
        let first = try #require(FileVersion(path: "\(folder.path)/a"))
        #expect(FileVersion(path: "\(folder.path)/a") == first)
        try folder.write("a", "one")  // same contents, a new file
        #expect(FileVersion(path: "\(folder.path)/a") != first)
        #expect(FileVersion(path: "\(folder.path)/missing") == nil)
    }
}

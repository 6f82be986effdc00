import HashrCore
import HashrTLS
import Synchronization

/// The `BlockingHTTPClient`'s OpenSSL context, made once and kept while its CA file stays the same.
///
/// Making a context reads and parses the CA file; the Kubernetes router makes a few requests per
/// route change, and a context each time read the file each time. A rotated CA file (a new
/// `FileVersion`) is still read before the next request, as when every request made its own; a file
/// that cannot be examined or loaded is tried again on every request, never kept. Shared by the
/// threads that run requests: a configured context may be used from several at once
/// (`OpenSSLClientContext`).
final class TLSContextCache: Sendable {
    private struct Entry {
        let version: FileVersion?
        let context: OpenSSLClientContext
    }

    private let certificateAuthorityFile: String?
    private let entry = Mutex<Entry?>(nil)

    /// - Parameter certificateAuthorityFile: the only CAs trusted; nil trusts the system's store,
    ///   whose files are then read once.
    init(certificateAuthorityFile: String?) {
        self.certificateAuthorityFile = certificateAuthorityFile
    }

    /// The context for the CA file as it is now: the kept one, or a new one when the file changed.
    func context() throws(HTTPClientError) -> OpenSSLClientContext {
        let version = certificateAuthorityFile.flatMap { FileVersion(path: $0) }
        let usable = certificateAuthorityFile == nil || version != nil
        if usable, let kept = entry.withLock({ $0 }), kept.version == version {
            return kept.context
        }
        // Made outside the lock: a slow read blocks no other request (two threads may both make one).
        let context = try OpenSSLClientContext(certificateAuthorityFile: certificateAuthorityFile)
        if usable { entry.withLock { $0 = Entry(version: version, context: context) } }
        return context
    }
}

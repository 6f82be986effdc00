import CLibSSL
import HashrCore

/// libssl.so.3, opened the first time a TLS context is made rather than linked: a watcher that
/// never speaks TLS does not pay the 1.7 MB of memory loading OpenSSL costs (see CLibSSL.h).
public enum OpenSSLLibrary {
    /// Opens it once per process; later calls give the first outcome. Every `clibssl_` call needs
    /// this to have succeeded first; a service that knows it will need TLS calls it at start.
    public static func load() throws(HTTPClientError) {
        var reason = [CChar](repeating: 0, count: 512)
        guard clibssl_load(&reason, reason.count) == 1 else {
            throw .tlsFailed(reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}

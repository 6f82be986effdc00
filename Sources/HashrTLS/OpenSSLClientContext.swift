import CLibSSL
import HashrCore

/// The core HTTP client's TLS, with OpenSSL: peers must present a certificate chain to a trusted CA
/// (the given PEM file only, or the system's store) that names the host; TLS 1.2 at least. The
/// first context opens libssl (`OpenSSLLibrary`); without it, `init` fails saying why.
///
/// Configured once in `init` and only read afterwards, which OpenSSL allows from any thread: hence
/// `@unchecked Sendable`.
public final class OpenSSLClientContext: TLSClientContext, @unchecked Sendable {
    private let context: OpaquePointer

    /// - Parameter certificateAuthorityFile: PEM file of the only CAs trusted (a service account's
    ///   `ca.crt`); nil trusts the system's store.
    public init(certificateAuthorityFile: String?) throws(HTTPClientError) {
        try OpenSSLLibrary.load()
        guard let context = clibssl_SSL_CTX_new(clibssl_TLS_client_method()) else {
            throw .tlsFailed(reason: "cannot create an OpenSSL context: \(OpenSSLErrors.drain() ?? "unknown error")")
        }
        self.context = context
        guard clibssl_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw .tlsFailed(reason: "cannot require TLS 1.2: \(OpenSSLErrors.drain() ?? "unknown error")")
        }
        clibssl_SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let certificateAuthorityFile {
            guard clibssl_SSL_CTX_load_verify_locations(context, certificateAuthorityFile, nil) == 1 else {
                let reason = OpenSSLErrors.drain() ?? "unknown error"
                throw .certificateUntrusted(reason: "cannot load the CA file \(certificateAuthorityFile): \(reason)")
            }
        } else {
            guard clibssl_SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw .certificateUntrusted(reason: "cannot load the system's CAs: \(OpenSSLErrors.drain() ?? "unknown error")")
            }
        }
    }

    deinit {
        clibssl_SSL_CTX_free(context)
    }

    public func makeSession(host: String) throws(HTTPClientError) -> any TLSClientSession {
        try OpenSSLClientSession(context: context, host: host)
    }
}

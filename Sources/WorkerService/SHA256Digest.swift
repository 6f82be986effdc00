import COpenSSL

/// SHA-256 from the system's libcrypto (OpenSSL 3, Debian's libssl3).
///
/// The worker needs one digest; swift-crypto would link all of BoringSSL into the binary (about
/// 3 MB of the 15 MB budget) for it, while libcrypto is a shared library the runtime image has
/// anyway for istiowatcher's TLS.
enum SHA256Digest {
    static let byteCount = 32

    /// The 32-byte digest of `bytes`.
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { digest, count in
            var context = SHA256_CTX()
            SHA256_Init(&context)
            bytes.withUnsafeBufferPointer { input in _ = SHA256_Update(&context, input.baseAddress, input.count) }
            SHA256_Final(digest.baseAddress, &context)
            count = byteCount
        }
    }
}

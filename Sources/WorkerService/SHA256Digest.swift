import COpenSSL

/// SHA-256 from the system's libcrypto (OpenSSL 3, Debian's libssl3), fed in pieces: the worker's
/// message is its input, random hex and the hour, and none of it is gathered in a buffer of its own.
///
/// The worker needs one digest; swift-crypto would link all of BoringSSL into the binary (about
/// 3 MB of the 15 MB budget) for it, while libcrypto is a shared library the runtime image has
/// anyway for istiowatcher's TLS.
struct SHA256Digest {
    static let byteCount = 32

    private var context = SHA256_CTX()

    init() {
        SHA256_Init(&context)
    }

    mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        SHA256_Update(&context, start, bytes.count)
    }

    /// Ends the digest and hands its 32 bytes to `body` (valid only during the call).
    mutating func finish<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.byteCount) { digest in
            SHA256_Final(digest.baseAddress, &context)
            return body(UnsafeBufferPointer(digest))
        }
    }

}

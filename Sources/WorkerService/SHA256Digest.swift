import COpenSSL

/// SHA-256 from the system's libcrypto (OpenSSL 3, Debian's libssl3).
///
/// The worker needs one digest; swift-crypto would link all of BoringSSL into the binary (about
/// 3 MB of the 15 MB budget) for it, while libcrypto is a shared library the runtime image has
/// anyway for istiowatcher's libcurl.
enum SHA256Digest {
    static let byteCount = 32

    /// The 32-byte digest of `bytes`.
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // Only a library without SHA-256 or out of memory fails here: nothing to answer then.
        precondition(succeeded == 1 && length == UInt32(byteCount), "libcrypto's SHA-256 failed")
        return digest
    }
}

import CLibSSL
import HashrCore

/// One TLS connection over memory BIOs: ciphertext from the socket goes into `input`, OpenSSL
/// leaves what to send in `output`, and the core's `TCPStream` does the socket I/O. Loop-confined.
final class OpenSSLClientSession: TLSClientSession {
    private let ssl: OpaquePointer
    /// Network to OpenSSL. Owned by `ssl`.
    private let input: OpaquePointer
    /// OpenSSL to the network. Owned by `ssl`.
    private let output: OpaquePointer
    private let host: String
    private var established = false

    init(context: OpaquePointer, host: String) throws(HTTPClientError) {
        clibssl_ERR_clear_error()
        guard let ssl = clibssl_SSL_new(context) else {
            throw .tlsFailed(reason: "cannot create a TLS session: \(OpenSSLErrors.drain() ?? "unknown error")")
        }
        guard let input = clibssl_BIO_new_mem(), let output = clibssl_BIO_new_mem() else {
            clibssl_SSL_free(ssl)
            throw .tlsFailed(reason: "cannot create memory BIOs: \(OpenSSLErrors.drain() ?? "unknown error")")
        }
        self.ssl = ssl
        self.input = input
        self.output = output
        self.host = host
        clibssl_SSL_set_bio(ssl, input, output)
        clibssl_SSL_set_connect_state(ssl)
        // An IP address is checked against the certificate's IP entries and never sent as SNI
        // (RFC 6066 allows only names there); a name is checked (SSL_set1_host) and sent as SNI.
        if clibssl_X509_VERIFY_PARAM_set1_ip_asc(clibssl_SSL_get0_param(ssl), host) != 1 {
            clibssl_ERR_clear_error()
            guard clibssl_SSL_set1_host(ssl, host) == 1, clibssl_SSL_set_tlsext_host_name(ssl, host) == 1 else {
                throw .tlsFailed(reason: "cannot use \(host) as a TLS host name: \(OpenSSLErrors.drain() ?? "unknown error")")
            }
        }
    }

    deinit {
        clibssl_SSL_free(ssl)  // frees both BIOs too
    }

    func startHandshake() throws(HTTPClientError) -> [UInt8] {
        try handshakeStep()
        return pendingOutput()
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) -> TLSReceived {
        if let base = bytes.baseAddress, bytes.count > 0 {
            // A memory BIO grows to take everything.
            clibssl_BIO_write(input, base, Int32(bytes.count))
        }
        if !established { try handshakeStep() }
        var plaintext: [UInt8] = []
        var peerClosed = false
        if established {
            peerClosed = try readApplicationData(into: &plaintext)
        }
        return TLSReceived(toSend: pendingOutput(), plaintext: plaintext, isEstablished: established, peerClosed: peerClosed)
    }

    func encrypt(_ bytes: [UInt8]) throws(HTTPClientError) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        clibssl_ERR_clear_error()
        let written = bytes.withUnsafeBytes { clibssl_SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        // Without partial writes, SSL_write writes everything or nothing; a memory BIO never blocks.
        guard written == Int32(bytes.count) else {
            throw .tlsFailed(reason: "cannot encrypt: \(OpenSSLErrors.drain() ?? "SSL_write failed")")
        }
        return pendingOutput()
    }

    private func handshakeStep() throws(HTTPClientError) {
        clibssl_ERR_clear_error()
        let result = clibssl_SSL_do_handshake(ssl)
        if result == 1 {
            established = true
            return
        }
        let code = clibssl_SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        throw handshakeFailure(code)
    }

    /// Tells a certificate problem (the verify result) from any other failure.
    private func handshakeFailure(_ code: Int32) -> HTTPClientError {
        let verify = clibssl_SSL_get_verify_result(ssl)
        if verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH {
            _ = OpenSSLErrors.drain()
            return .hostNameMismatch(host: host)
        }
        if verify != X509_V_OK {
            _ = OpenSSLErrors.drain()
            return .certificateUntrusted(reason: String(cString: clibssl_X509_verify_cert_error_string(verify)))
        }
        return .tlsFailed(reason: OpenSSLErrors.drain() ?? "SSL_do_handshake failed with SSL error \(code)")
    }

    /// Decrypts everything buffered; true when the server sent close_notify.
    private func readApplicationData(into plaintext: inout [UInt8]) throws(HTTPClientError) -> Bool {
        let capacity = 16 * 1024
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer throws(HTTPClientError) in
            while true {
                clibssl_ERR_clear_error()
                let count = clibssl_SSL_read(ssl, buffer.baseAddress, Int32(capacity))
                if count > 0 {
                    plaintext.append(contentsOf: buffer.prefix(Int(count)))
                    continue
                }
                switch clibssl_SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return false
                case SSL_ERROR_ZERO_RETURN: return true
                case let code: throw .tlsFailed(reason: OpenSSLErrors.drain() ?? "SSL_read failed with SSL error \(code)")
                }
            }
        }
    }

    /// What OpenSSL left for the socket.
    private func pendingOutput() -> [UInt8] {
        let pending = Int(clibssl_BIO_pending(output))
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            count = Int(max(0, clibssl_BIO_read(output, buffer.baseAddress, Int32(pending))))
        }
    }
}

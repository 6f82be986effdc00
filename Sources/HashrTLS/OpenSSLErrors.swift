import CLibSSL

/// OpenSSL's per-thread error queue, read into a message.
enum OpenSSLErrors {
    /// Empties the queue; the oldest error (the cause; later ones are consequences) as text, or
    /// nil when it was empty.
    static func drain() -> String? {
        var first: String?
        while case let code = clibssl_ERR_get_error(), code != 0 {
            if first == nil {
                var buffer = [CChar](repeating: 0, count: 256)
                clibssl_ERR_error_string_n(code, &buffer, buffer.count)
                first = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        return first
    }
}

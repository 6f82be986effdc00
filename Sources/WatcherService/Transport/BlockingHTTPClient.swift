import CCurl

/// HTTP(S) requests with libcurl that block the calling thread until answered or timed out.
///
/// For the Kubernetes API, where hand-written TLS is out of the question. Each request uses its own
/// curl handle, so the client has no shared state and may be used from several threads; it must
/// not be used on the event loop's thread (the lead runs it on libuv's thread pool).
public struct BlockingHTTPClient: Sendable {
    /// An answer: any status, and the body.
    public struct Response: Sendable, Equatable {
        /// The HTTP status code.
        public let status: Int
        /// The complete body.
        public let body: [UInt8]

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// PEM file of the only CAs trusted (the cluster's `ca.crt`); nil trusts the system's.
    public let certificateAuthorityFile: String?
    /// Allow `http://` as well as `https://` (tests, Prometheus); the Kubernetes client does not.
    public let allowsPlainHTTP: Bool
    /// Bodies beyond this fail with `.responseTooLarge` rather than filling memory.
    public let maximumResponseBytes: Int

    public init(certificateAuthorityFile: String?, allowsPlainHTTP: Bool = false, maximumResponseBytes: Int = 4 << 20) {
        self.certificateAuthorityFile = certificateAuthorityFile
        self.allowsPlainHTTP = allowsPlainHTTP
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// libcurl's global setup is not thread-safe, so it runs once, lazily, under Swift's
    /// thread-safe initialization of globals, before the first handle is made.
    private static let globalSetup: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Sends one request and waits for the complete answer.
    /// - Parameters:
    ///   - headers: complete header lines, e.g. `Content-Type: application/json`.
    ///   - body: sent as is when non-nil (also for an empty body).
    public func perform(
        method: String, url: String, headers: [String] = [], body: [UInt8]? = nil, timeout: Duration
    ) throws(BlockingHTTPClientError) -> Response {
        guard Self.globalSetup == CURLE_OK else {
            throw BlockingHTTPClientError(kind: .other, message: "libcurl could not be initialized")
        }
        // All three outlive the handle: curl may use them until curl_easy_cleanup.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let sink = ResponseSink(limit: maximumResponseBytes)
        defer { withExtendedLifetime(sink) {} }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // "Expect:" turns off curl's 100-continue round trip for larger bodies.
        for line in headers + ["Expect:"] {
            guard let extended = curl_slist_append(headerList, line) else {
                throw BlockingHTTPClientError(kind: .other, message: "out of memory building headers")
            }
            headerList = extended
        }
        guard let handle = curl_easy_init() else {
            throw BlockingHTTPClientError(kind: .other, message: "libcurl could not be initialized")
        }
        defer { curl_easy_cleanup(handle) }
        let milliseconds = max(1, Int(timeout.wholeMilliseconds))

        var setup = CURLE_OK
        func option(_ result: CURLcode) { if setup == CURLE_OK { setup = result } }
        option(ccurl_setopt_string(handle, CURLOPT_URL, url))
        option(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, allowsPlainHTTP ? "http,https" : "https"))
        option(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // signals and threads do not mix
        option(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds))
        option(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds))
        option(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        option(ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList.map { UnsafeMutableRawPointer($0) }))
        if let certificateAuthorityFile {
            option(ccurl_setopt_string(handle, CURLOPT_CAINFO, certificateAuthorityFile))
            // Without this the system's CA folder would be trusted too.
            option(ccurl_setopt_string(handle, CURLOPT_CAPATH, nil))
        }
        if method == "GET" {
            option(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        } else {
            option(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        if let body {
            option(ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies now, so the pointer need not outlive this closure.
                option(
                    ccurl_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))))
            }
        }
        option(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()))
        option(
            ccurl_setopt_write_function(handle) { data, size, count, context in
                ResponseSink.receive(data, size * count, context)
            })
        guard setup == CURLE_OK else { throw failure(setup, errorBuffer) }

        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else {
            if sink.overflowed {
                throw BlockingHTTPClientError(
                    kind: .responseTooLarge, message: "the answer exceeded \(maximumResponseBytes) bytes")
            }
            throw failure(result, errorBuffer)
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.bytes)
    }

    private func failure(_ code: CURLcode, _ errorBuffer: UnsafeMutablePointer<CChar>) -> BlockingHTTPClientError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: BlockingHTTPClientError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connectionFailed
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR:
            kind = .tlsFailed
        default:
            kind = .other
        }
        return BlockingHTTPClientError(kind: kind, message: message)
    }

    /// Collects the body; lives on the stack of `perform` for the duration of the transfer.
    private final class ResponseSink {
        let limit: Int
        var bytes: [UInt8] = []
        var overflowed = false

        init(limit: Int) {
            self.limit = limit
        }

        /// libcurl's write callback. Returning less than `length` makes libcurl abort the transfer.
        static func receive(_ data: UnsafeMutablePointer<CChar>?, _ length: Int, _ context: UnsafeMutableRawPointer?)
            -> Int
        {
            guard let data, let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            guard sink.bytes.count + length <= sink.limit else {
                sink.overflowed = true
                return 0
            }
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
    }
}

import HashrCore

#if canImport(Glibc)
    import Glibc
#endif

/// One request/answer exchange over TCP that blocks the calling thread: connect, send the request,
/// read until the peer closes. Enough for HAProxy's non-interactive runtime API, where each
/// connection carries one command. Every step shares one deadline, so a silent peer cannot hang it.
///
/// The core's `TCPExchange` (its name lookup, its TCP stream) does the work, on an event loop of its
/// own that the calling thread runs; so it must not be called on an event loop's thread.
public struct BlockingTCPExchange: Sendable {
    public let host: String
    public let port: Int
    public let timeout: Duration
    /// Answers beyond this are cut off with an error rather than filling memory.
    public let maximumReplyBytes: Int

    /// An exchange with `host:port`; `timeout` bounds connecting, sending and reading together.
    public init(host: String, port: Int, timeout: Duration, maximumReplyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maximumReplyBytes = maximumReplyBytes
    }

    /// Sends `request` and returns everything the peer sent before closing.
    public func exchange(_ request: String) throws(RouterError) -> String {
        let result: Result<[UInt8], TCPExchange.Failure>
        do {
            result = try PrivateLoop.run { [self] loop, complete in
                TCPExchange.start(
                    loop: loop, host: host, port: port, request: Array(request.utf8), timeout: timeout,
                    maximumReplyBytes: maximumReplyBytes, completion: complete)
            }
        } catch {
            throw RouterError("\(host):\(port): \(error)")
        }
        switch result {
        case .success(let reply):
            return String(decoding: reply, as: UTF8.self)
        case .failure(.resolveFailed(let reason)):
            throw RouterError("cannot resolve \(host): \(reason)")
        case .failure(.failed(let step, let code)):
            // strerror's wording ("Connection refused"), as the socket calls this replaced gave it.
            throw RouterError("\(step.rawValue) \(host):\(port) failed: \(String(cString: strerror(-code)))")
        case .failure(.timedOut(let step)):
            throw RouterError("timed out \(step.rawValue) \(host):\(port) after \(timeout.shortText)")
        case .failure(.replyTooLarge(let limit)):
            throw RouterError("\(host):\(port) answered more than \(limit) bytes")
        }
    }
}

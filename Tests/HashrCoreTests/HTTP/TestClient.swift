import Dispatch
import HashrTestSupport

@testable import HashrCore

#if canImport(Glibc)
    import Glibc
#endif

struct TestClientError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    static func errno(_ what: String) -> TestClientError {
        TestClientError("\(what): \(String(cString: strerror(Glibc.errno))) (errno \(Glibc.errno))")
    }
}

/// A response as the test client read it.
struct TestResponse: Sendable {
    var head: HTTPResponseHead
    var body: [UInt8]

    var status: Int { head.status }
    var headers: HTTPHeaders { head.headers }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP client on a raw loopback socket, so tests control every byte the server sees.
///
/// Every receive and send times out (`SO_RCVTIMEO`, `SO_SNDTIMEO`): a test waiting for something
/// that never comes fails instead of hanging. Responses are read with the parser's response side.
///
/// The blocking calls run on a dispatch queue of the client's own, never on Swift's cooperative
/// pool: with two cores, two clients blocked in `recv` would otherwise stall every other test's
/// timers and continuations. A test awaits each call before the next, so the state below is only
/// ever touched by one call at a time.
final class TestClient: @unchecked Sendable {
    private let queue = DispatchQueue(label: "test-client")
    private var fd: Int32
    private var parser = HTTPParser(kind: .response)
    private var peerClosed = false
    /// The server ended the connection with a TCP reset rather than an orderly close.
    private(set) var wasReset = false

    /// Connects to 127.0.0.1:`port`. A small `receiveBuffer` makes a client that never reads fill
    /// up quickly.
    init(port: Int, timeout: Duration = .seconds(5), receiveBuffer: Int32? = nil) throws {
        do {
            fd = try LoopbackSocket.connected(to: port, timeout: timeout, receiveBuffer: receiveBuffer)
        } catch {
            throw TestClientError("\(error)")
        }
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// How long a receive or send may block.
    func setTimeouts(_ timeout: Duration) throws {
        do {
            try LoopbackSocket.setTimeouts(fd, timeout)
        } catch {
            throw TestClientError("\(error)")
        }
    }

    /// Runs blocking work on the client's queue.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await blocking { try self.sendNow(bytes) }
    }

    /// Some bytes, or nil when the server closed the connection (a reset counts as closed).
    func receive() async throws -> [UInt8]? {
        try await blocking { try self.receiveNow() }
    }

    /// Whether bytes (or end of file) arrive within `milliseconds`.
    func isReadable(within milliseconds: Int32) async -> Bool {
        (try? await blocking { self.isReadableNow(within: milliseconds) }) ?? false
    }

    /// The next complete response. `toHEAD`: it answers a HEAD request, so it has no body.
    func readResponse(toHEAD: Bool = false) async throws -> TestResponse {
        try await blocking { try self.readResponseNow(toHEAD: toHEAD) }
    }

    /// Sends `text`, then closes the sending side, in one go: the server sees the end of file
    /// right behind the request.
    func sendLast(_ text: String) async throws {
        try await blocking {
            try self.sendNow(Array(text.utf8))
            Glibc.shutdown(self.fd, Int32(SHUT_WR))
        }
    }

    /// Sends a request and reads its response.
    func exchange(_ request: String, toHEAD: Bool = false) async throws -> TestResponse {
        try await send(request)
        return try await readResponse(toHEAD: toHEAD)
    }

    /// True when the server closes the connection (end of file or reset) with nothing left unread;
    /// false when bytes arrive instead; throws when neither happens before the timeout.
    func waitForClose() async throws -> Bool {
        try await blocking { try self.waitForCloseNow() }
    }

    private func sendNow(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if Glibc.errno == EINTR { continue }
                throw TestClientError.errno("send")
            }
            offset += sent
        }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private func receiveNow() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 { return nil }
            switch Glibc.errno {
            case EINTR: continue
            case ECONNRESET:
                wasReset = true
                return nil
            case EAGAIN: throw TestClientError("timed out waiting for the server")
            default: throw TestClientError.errno("recv")
            }
        }
    }

    private func isReadableNow(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    private func readResponseNow(toHEAD: Bool) throws -> TestResponse {
        parser.nextResponseIsToHEAD = toHEAD
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        while true {
            while let event = try parser.next() {
                switch event {
                case .responseHead(let received): head = received
                case .body(let piece): body += piece
                case .end:
                    guard let head else { throw TestClientError("a response ended without a head") }
                    return TestResponse(head: head, body: body)
                case .requestHead: throw TestClientError("a response parser produced a request")
                }
            }
            guard !peerClosed, let bytes = try receiveNow() else {
                peerClosed = true
                // The body may run until the connection closes.
                if try parser.finish() == .end, let head { return TestResponse(head: head, body: body) }
                throw TestClientError("the server closed the connection without a complete response")
            }
            parser.append(bytes)
        }
    }

    private func waitForCloseNow() throws -> Bool {
        if peerClosed { return parser.bufferedByteCount == 0 }
        guard let bytes = try receiveNow() else {
            peerClosed = true
            return parser.bufferedByteCount == 0
        }
        parser.append(bytes)
        return false
    }
}

/// The request most tests send.
func get(_ target: String, _ extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}

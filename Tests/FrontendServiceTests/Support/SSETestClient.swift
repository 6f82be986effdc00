import Foundation
import HashrTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A results-stream client on a raw loopback socket, as plain as a browser's EventSource: it sends
/// `GET /api/results` and parses what comes back with `SSEStreamParser`, noting when each event
/// arrived.
///
/// It reads on a thread of its own, never on Swift's cooperative pool: with two cores, a blocked
/// `recv` there would stall every other test. Created with `reading: false` it connects, asks, and
/// then reads nothing until `startReading()`: a client whose tab froze. A small `receiveBuffer`
/// makes such a client's socket fill up quickly.
final class SSETestClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private struct State {
        var parser = SSEStreamParser()
        var arrivals: [ContinuousClock.Instant] = []
        var bytes = 0
        var closed = false
        var reading = false
    }

    private let fd: Int32
    private let state = Mutex(State())

    init(port: Int, path: String = "/api/results", receiveBuffer: Int32? = nil, reading: Bool = true) throws {
        fd = try LoopbackSocket.connected(to: port, receiveBuffer: receiveBuffer)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            Glibc.close(fd)
            throw Failure(description: "send: errno \(errno)")
        }
        if reading { startReading() }
    }

    deinit {
        Glibc.close(fd)
    }

    /// Starts reading (once).
    func startReading() {
        let start = state.withLock { state -> Bool in
            defer { state.reading = true }
            return !state.reading
        }
        guard start else { return }
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    private func readLoop() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            let now = ContinuousClock.now
            guard count > 0 else {
                state.withLock { $0.closed = true }
                return
            }
            state.withLock { state in
                let before = state.parser.events.count
                state.parser.feed(chunk[..<count])
                state.bytes += count
                let new = state.parser.events.count - before
                if new > 0 { state.arrivals.append(contentsOf: repeatElement(now, count: new)) }
            }
        }
    }

    /// Ends the connection from this side; the read thread sees the end and stops.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    var status: Int? { state.withLock { $0.parser.status } }
    var headers: [String: String] { state.withLock { $0.parser.headers } }
    var events: [SSEStreamParser.Event] { state.withLock { $0.parser.events } }
    var eventCount: Int { state.withLock { $0.parser.events.count } }
    var arrivals: [ContinuousClock.Instant] { state.withLock { $0.arrivals } }
    var comments: [String] { state.withLock { $0.parser.comments } }
    var retry: Int? { state.withLock { $0.parser.retry } }
    /// The server sent the stream's terminating chunk.
    var ended: Bool { state.withLock { $0.parser.ended } }
    /// The connection is closed (end of file or error).
    var isClosed: Bool { state.withLock { $0.closed } }
    var bytesReceived: Int { state.withLock { $0.bytes } }
    var framingError: String? { state.withLock { $0.parser.error } }
}

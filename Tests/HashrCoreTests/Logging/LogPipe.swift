import Glibc

/// A pipe (or a packet socket pair) whose write end a `LogSink` writes to and whose read end the
/// test reads without blocking.
final class LogPipe {
    let writeEnd: Int32
    private let readEnd: Int32
    private(set) var received: [UInt8] = []
    /// Each `read` of a packet socket returns exactly one `write()` of the sink.
    private(set) var packets = 0

    /// `packets`: a SOCK_SEQPACKET pair instead of a pipe, so that writes can be counted.
    init(packets: Bool = false) {
        var ends: [Int32] = [0, 0]
        if packets {
            precondition(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &ends) == 0)
            (readEnd, writeEnd) = (ends[0], ends[1])
        } else {
            precondition(pipe(&ends) == 0)
            (readEnd, writeEnd) = (ends[0], ends[1])
        }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Reads whatever is there now.
    @discardableResult
    func drain() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
            packets += 1
        }
        return received
    }

    /// The complete lines received so far.
    var lines: [String] {
        drain()
        return String(decoding: received, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

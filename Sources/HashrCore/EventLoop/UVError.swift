import CLibUV

/// An error code returned by libuv, with its symbolic name and message.
public struct UVError: Error, CustomStringConvertible, Equatable, Sendable {
    public let code: Int32
    /// What was being attempted, e.g. "bind 127.0.0.1:8080".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var name: String { String(cString: uv_err_name(code)) }
    public var message: String { String(cString: uv_strerror(code)) }

    public var description: String { "\(operation): \(message) (\(name))" }

    public static let connectionRefused = UV_ECONNREFUSED.rawValue
    public static let connectionReset = UV_ECONNRESET.rawValue
    public static let endOfFile = UV_EOF.rawValue
    public static let cancelled = UV_ECANCELED.rawValue
    public static let timedOut = UV_ETIMEDOUT.rawValue
    public static let addressInUse = UV_EADDRINUSE.rawValue

    /// Throws when `code` is negative (libuv's convention for failure).
    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(UVError) {
        if code < 0 { throw UVError(code: code, operation: operation()) }
    }
}

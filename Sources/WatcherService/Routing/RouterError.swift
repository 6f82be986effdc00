/// Why a router could not read or change the route. The message is a complete log line: what was
/// attempted, against what, and what to check.
public struct RouterError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

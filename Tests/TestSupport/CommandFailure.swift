/// A program a test depends on (openssl, python3, haproxy, prometheus) is missing, failed or
/// printed something unexpected.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A test tool (openssl, python3) failed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

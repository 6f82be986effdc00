/// A setting that cannot be used. Its description is the one line a person sees before the process exits 2.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let value: String
    public let expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "invalid configuration: \(variable)=\"\(value)\": expected \(expected)"
    }
}

/// What `WeightRouter.apply` did.
public struct RouterChange: Sendable, Equatable {
    /// False when the route already had the wanted weights and nothing was written.
    public var changed: Bool
    /// Problems that did not fail the change, e.g. a Kubernetes Event that could not be recorded.
    public var warnings: [String]

    public init(changed: Bool, warnings: [String] = []) {
        self.changed = changed
        self.warnings = warnings
    }

    /// The route already had the wanted weights; nothing was written.
    public static let unchanged = RouterChange(changed: false)
}

import HashrCore

extension KubernetesRouterConfiguration {
    /// A Kubernetes API version: `v<n>`, `v<n>alpha<m>` or `v<n>beta<m>`, numbers from 1 without a
    /// leading zero (v1, v1beta1, v1alpha3). By hand rather than with a Regex: running one pages in
    /// the regex parser and engine, about 0.9 MB of the watcher's memory for the rest of its life.
    static func isAPIVersion(_ text: String) -> Bool {
        var rest = Substring(text)
        guard rest.first == "v" else { return false }
        rest = rest.dropFirst()
        guard dropNumber(&rest) else { return false }
        if rest.isEmpty { return true }
        for stage in ["alpha", "beta"] where rest.hasPrefix(stage) {
            rest = rest.dropFirst(stage.count)
            return dropNumber(&rest) && rest.isEmpty
        }
        return false
    }

    /// Drops a leading `[1-9][0-9]*` (ASCII digits); false when `text` does not start with one.
    private static func dropNumber(_ text: inout Substring) -> Bool {
        let count = text.leadingASCIIDigitCount
        guard count > 0, text.utf8.first != UInt8(ascii: "0") else { return false }
        text = text.dropFirst(count)
        return true
    }
}

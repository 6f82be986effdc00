import HashrCore

/// Value shapes only the watcher needs. Each throws a `ConfigurationError` naming the variable.
extension EnvironmentReader {
    /// A Kubernetes object name: a DNS-1123 subdomain (lowercase letters, digits, `-` and `.`,
    /// starting and ending with a letter or digit, at most 253 characters). Checking it also keeps
    /// the value from changing the API path it is put into.
    func kubernetesName(_ name: String, default defaultValue: String, label: Bool = false) throws -> String {
        let value = string(name, default: defaultValue)
        try Self.checkKubernetesName(value, variable: name, label: label)
        return value
    }

    static func checkKubernetesName(_ value: String, variable: String, label: Bool) throws {
        let allowed = label ? "abcdefghijklmnopqrstuvwxyz0123456789-" : "abcdefghijklmnopqrstuvwxyz0123456789-."
        let alphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789"
        guard !value.isEmpty, value.count <= (label ? 63 : 253), value.allSatisfy(allowed.contains),
            let first = value.first, let last = value.last, alphanumeric.contains(first), alphanumeric.contains(last)
        else {
            let kind = label ? "a DNS label" : "a DNS subdomain"
            throw ConfigurationError(
                variable: variable, value: value,
                expected: "a Kubernetes name (\(kind): lowercase letters, digits and '-', starting and ending "
                    + "with a letter or digit)")
        }
    }

    /// An HAProxy backend or server name: letters, digits, `-`, `_`, `.` and `:`. Anything else
    /// (a space, `;`, `/`) would change the runtime API command it is put into.
    func haproxyName(_ name: String, default defaultValue: String) throws -> String {
        let value = string(name, default: defaultValue)
        let allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"
        guard value.allSatisfy(allowed.contains) else {
            throw ConfigurationError(
                variable: name, value: value, expected: "an HAProxy name (letters, digits, '-', '_', '.', ':')")
        }
        return value
    }

    /// `host:port` or `[v6-address]:port`.
    func hostAndPort(_ name: String, default defaultValue: String) throws -> (host: String, port: Int) {
        let value = string(name, default: defaultValue)
        do {
            let address = try HostAndPort(parsing: value)
            return (address.host, address.port)
        } catch {
            throw ConfigurationError(variable: name, value: value, expected: "host:port, e.g. 127.0.0.1:9999 (\(error))")
        }
    }

    /// An `http://` or `https://` URL with a host and no query, returned without a trailing slash.
    func baseURL(_ name: String, default defaultValue: String) throws -> String {
        var value = string(name, default: defaultValue)
        let failure = ConfigurationError(
            variable: name, value: value, expected: "an http:// or https:// URL such as http://127.0.0.1:9090")
        guard let scheme = ["http://", "https://"].first(where: { value.lowercased().hasPrefix($0) }) else {
            throw failure
        }
        let authority = value.dropFirst(scheme.count).prefix { $0 != "/" }
        guard (try? HostAndPort(parsing: authority, defaultPort: scheme == "https://" ? 443 : 80)) != nil,
            !value.contains("?"), !value.contains("#"), !value.contains(" ")
        else { throw failure }
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// A required value: unset or empty is an error that says when it is needed.
    func required(_ name: String, because reason: String) throws -> String {
        guard let value = raw(name) else {
            throw ConfigurationError(variable: name, value: "", expected: "a value (\(reason))")
        }
        return value
    }
}

/// Reads and changes the primary/burst weights of a route object, touching nothing else.
///
/// Two object kinds share one shape: a list of rules, each sending to a list of weighted
/// destinations. An Istio VirtualService has `spec.http[i].route[j]`, told apart by
/// `destination.subset`; a Gateway API HTTPRoute has `spec.rules[i].backendRefs[j]`, told apart by
/// the Service `name`. Every rule whose destinations include exactly one primary and one burst is
/// ours; rules that mention only one of them (or neither) are left alone. The new document is the
/// parsed original with only those `weight` fields replaced, so metadata (resourceVersion
/// included), other rules, filters and any field this code has never heard of go back as read.
public struct RouteWeightEditor: Sendable, Equatable {
    /// The object kind, which fixes where the weights are and what a missing weight means.
    public enum Kind: Sendable, Equatable {
        /// `networking.istio.io` VirtualService: destinations by subset; a missing weight is 0
        /// (proto3's default), weights 0...100.
        case virtualService
        /// `gateway.networking.k8s.io/v1` HTTPRoute: backendRefs by Service name; a missing weight
        /// is 1 (the v1 API's default), weights 0...1,000,000.
        case httpRoute
    }

    public let kind: Kind
    /// The subset (VirtualService) or Service name (HTTPRoute) of the primary destination.
    public let primary: String
    /// The subset or Service name of the burst destination.
    public let burst: String

    /// An editor for `kind`'s destinations named `primary` and `burst`.
    public init(kind: Kind, primary: String, burst: String) {
        self.kind = kind
        self.primary = primary
        self.burst = burst
    }

    /// A VirtualService editor for the destinations whose subsets have these names.
    public init(primarySubset: String = "primary", burstSubset: String = "burst") {
        self.init(kind: .virtualService, primary: primarySubset, burst: burstSubset)
    }

    /// Positions of our two destinations in one rule.
    struct Location: Equatable {
        let route: Int
        let primary: Int
        let burst: Int
    }

    /// The weights of the first rule with both destinations.
    public func weights(in document: JSONValue) throws(RouterError) -> SubsetWeights {
        let rules = try rules(document)
        let first = try locate(rules)[0]
        return try weights(of: rules[first.route], at: first)
    }

    /// The document with every rule of ours set to `burstWeight` (primary 100 − it), or nil when
    /// all of them already are: then nothing needs writing.
    public func setting(burstWeight: Int, in document: JSONValue) throws(RouterError) -> JSONValue? {
        guard (0...100).contains(burstWeight) else {
            throw RouterError("burst weight \(burstWeight) is not in 0...100")
        }
        let wanted = SubsetWeights(burstWeight: burstWeight)
        var rules = try rules(document)
        var changed = false
        for location in try locate(rules) {
            guard try weights(of: rules[location.route], at: location) != wanted else { continue }
            var rule = rules[location.route]
            var destinations = rule[destinationsKey]?.arrayValue ?? []
            destinations[location.primary].set("weight", to: .integer(wanted.primary))
            destinations[location.burst].set("weight", to: .integer(wanted.burst))
            rule.set(destinationsKey, to: .array(destinations))
            rules[location.route] = rule
            changed = true
        }
        guard changed, var spec = document["spec"] else { return nil }
        spec.set(rulesKey, to: .array(rules))
        var result = document
        result.set("spec", to: spec)
        return result
    }

    // MARK: - What differs between the kinds

    private var kindName: String { kind == .virtualService ? "VirtualService" : "HTTPRoute" }
    private var rulesKey: String { kind == .virtualService ? "http" : "rules" }
    private var destinationsKey: String { kind == .virtualService ? "route" : "backendRefs" }
    private var ruleName: String { kind == .virtualService ? "HTTP route" : "rule" }
    private var maximumWeight: Int { kind == .virtualService ? 100 : 1_000_000 }
    private var missingWeight: Int { kind == .virtualService ? 0 : 1 }

    /// How the destinations are named in messages, e.g. `destinations with subset`.
    private var naming: (plural: String, singular: String, variables: String) {
        switch kind {
        case .virtualService:
            ("destinations of both subsets", "destination with subset", "PRIMARY_SUBSET and BURST_SUBSET")
        case .httpRoute: ("backendRefs to both Services", "backendRef to Service", "PRIMARY_BACKEND and BURST_BACKEND")
        }
    }

    /// The subset, or the name of a backendRef to a core Service (`group` "" and `kind` Service
    /// are the v1 API's defaults); nil for anything else.
    private func identity(_ destination: JSONValue) -> String? {
        switch kind {
        case .virtualService:
            return destination["destination"]?["subset"]?.stringValue
        case .httpRoute:
            guard (destination["group"]?.stringValue ?? "") == "",
                (destination["kind"]?.stringValue ?? "Service") == "Service"
            else { return nil }
            return destination["name"]?.stringValue
        }
    }

    private func rules(_ document: JSONValue) throws(RouterError) -> [JSONValue] {
        guard document.isObject else { throw RouterError("the \(kindName) is \(document.kindName), not an object") }
        guard let spec = document["spec"], spec.isObject else { throw RouterError("the \(kindName) has no spec") }
        guard let rules = spec[rulesKey]?.arrayValue else {
            throw RouterError(
                "the \(kindName) has no spec.\(rulesKey)\(kind == .virtualService ? " routes" : ""), so there are "
                    + "no weights to set")
        }
        return rules
    }

    func locate(_ rules: [JSONValue]) throws(RouterError) -> [Location] {
        var locations: [Location] = []
        for (ruleIndex, rule) in rules.enumerated() {
            guard let destinations = rule[destinationsKey]?.arrayValue else { continue }
            let names = destinations.map(identity)
            let primaries = names.indices.filter { names[$0] == primary }
            let bursts = names.indices.filter { names[$0] == burst }
            guard !primaries.isEmpty, !bursts.isEmpty else { continue }
            guard primaries.count == 1, bursts.count == 1 else {
                throw RouterError(
                    "spec.\(rulesKey)[\(ruleIndex)] has more than one \(naming.singular) \"\(primary)\" or "
                        + "\"\(burst)\"; cannot tell which weight to set")
            }
            for (index, destination) in destinations.enumerated() where index != primaries[0] && index != bursts[0] {
                let weight = destination["weight"]?.doubleValue ?? Double(missingWeight)
                if weight != 0 {
                    let others = kind == .virtualService ? "subsets" : "Services"
                    throw RouterError(
                        "spec.\(rulesKey)[\(ruleIndex)].\(destinationsKey)[\(index)] sends traffic to a destination "
                            + "other than \(others) \"\(primary)\" and \"\(burst)\"; weights would not add up to 100")
                }
            }
            locations.append(Location(route: ruleIndex, primary: primaries[0], burst: bursts[0]))
        }
        guard !locations.isEmpty else {
            throw RouterError(
                "the \(kindName) has no \(ruleName) with \(naming.plural) \"\(primary)\" and \"\(burst)\" (check "
                    + "\(naming.variables), and that both \(kind == .virtualService ? "destinations" : "backendRefs") "
                    + "are listed)")
        }
        return locations
    }

    private func weights(of rule: JSONValue, at location: Location) throws(RouterError) -> SubsetWeights {
        let destinations = rule[destinationsKey]?.arrayValue ?? []
        return SubsetWeights(
            primary: try weight(destinations[location.primary], at: location.route, location.primary),
            burst: try weight(destinations[location.burst], at: location.route, location.burst))
    }

    private func weight(_ destination: JSONValue, at rule: Int, _ index: Int) throws(RouterError) -> Int {
        guard let value = destination["weight"] else { return missingWeight }
        guard let weight = value.intValue, (0...maximumWeight).contains(weight) else {
            throw RouterError(
                "spec.\(rulesKey)[\(rule)].\(destinationsKey)[\(index)].weight is \(value.serialized), not an integer "
                    + "0...\(maximumWeight)")
        }
        return weight
    }
}

/// The VirtualService editor's earlier name.
public typealias VirtualServiceEditor = RouteWeightEditor

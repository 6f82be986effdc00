/// Reads the primary/burst weights of a route object and writes the JSON Patch that changes them,
/// touching nothing else.
///
/// Two object kinds share one shape: a list of rules, each sending to a list of weighted
/// destinations. An Istio VirtualService has `spec.http[i].route[j]`, told apart by
/// `destination.subset`; a Gateway API HTTPRoute has `spec.rules[i].backendRefs[j]`, told apart by
/// the Service `name`. Every rule whose destinations include exactly one primary and one burst is
/// ours; rules that mention only one of them (or neither) are left alone. The patch first `test`s
/// the resourceVersion that was read, so the API server applies it only to that exact version, then
/// sets only those `weight` fields: metadata, other rules, filters and any field this code has never
/// heard of stay as they are on the server.
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
        let rule: Int
        let primary: Int
        let burst: Int
    }

    /// The object in an API server answer; a clear error when it is not the JSON of a route object.
    public func decode(_ body: [UInt8]) throws(RouterError) -> RouteObject {
        do {
            return try KubernetesJSON.decode(RouteObject.self, from: body)
        } catch {
            throw RouterError(
                .unusableRoute, "the \(kindName) is not what the API serves: \(KubernetesJSON.describe(error))")
        }
    }

    /// The weights of the first rule with both destinations.
    public func weights(in object: RouteObject) throws(RouterError) -> SubsetWeights {
        let rules = try rules(object)
        let first = try locate(rules)[0]
        return try weights(of: rules[first.rule], at: first)
    }

    /// The JSON Patch that sets every rule of ours to `burstWeight` (primary 100 − it), or nil when
    /// all of them already are: then nothing needs writing.
    ///
    /// It starts with a `test` of the resourceVersion read (or, for an object without one, of each
    /// weight it changes), so a write by anyone else since the read makes the API server refuse the
    /// whole patch instead of applying weights at indexes that may have moved.
    public func patch(settingBurstWeight burstWeight: Int, in object: RouteObject) throws(RouterError)
        -> [JSONPatchOperation]?
    {
        guard (0...100).contains(burstWeight) else {
            throw RouterError(.invalidWeight, "burst weight \(burstWeight) is not in 0...100")
        }
        let wanted = SubsetWeights(burstWeight: burstWeight)
        let rules = try rules(object)
        var tests: [JSONPatchOperation] = []
        var changes: [JSONPatchOperation] = []
        for location in try locate(rules) where try weights(of: rules[location.rule], at: location) != wanted {
            let destinations = rules[location.rule][keyPath: destinationsKey] ?? []
            for (index, weight) in [(location.primary, wanted.primary), (location.burst, wanted.burst)] {
                let path = "/spec/\(rulesKeyName)/\(location.rule)/\(destinationsKeyName)/\(index)/weight"
                if case .integer(let current) = destinations[index].weight {
                    tests.append(JSONPatchOperation(.test, path, .integer(current)))
                    changes.append(JSONPatchOperation(.replace, path, .integer(weight)))
                } else {
                    changes.append(JSONPatchOperation(.add, path, .integer(weight)))
                }
            }
        }
        guard !changes.isEmpty else { return nil }
        if let version = object.metadata?.resourceVersion {
            tests = [JSONPatchOperation(.test, "/metadata/resourceVersion", .string(version))]
        }
        return tests + changes
    }

    // MARK: - What differs between the kinds

    private var kindName: String { kind == .virtualService ? "VirtualService" : "HTTPRoute" }
    private var rulesKeyName: String { kind == .virtualService ? "http" : "rules" }
    private var rulesKey: KeyPath<RouteObject.Spec, [RouteObject.Rule]?> {
        kind == .virtualService ? \.http : \.rules
    }
    private var destinationsKeyName: String { kind == .virtualService ? "route" : "backendRefs" }
    private var destinationsKey: KeyPath<RouteObject.Rule, [RouteObject.Destination]?> {
        kind == .virtualService ? \.route : \.backendRefs
    }
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
    private func identity(_ destination: RouteObject.Destination) -> String? {
        switch kind {
        case .virtualService:
            return destination.destination?.subset
        case .httpRoute:
            guard (destination.group ?? "") == "", (destination.kind ?? "Service") == "Service" else { return nil }
            return destination.name
        }
    }

    private func rules(_ object: RouteObject) throws(RouterError) -> [RouteObject.Rule] {
        guard let spec = object.spec else { throw RouterError(.unusableRoute, "the \(kindName) has no spec") }
        guard let rules = spec[keyPath: rulesKey] else {
            throw RouterError(
                .unusableRoute,
                "the \(kindName) has no spec.\(rulesKeyName)\(kind == .virtualService ? " routes" : ""), so there "
                    + "are no weights to set")
        }
        return rules
    }

    func locate(_ rules: [RouteObject.Rule]) throws(RouterError) -> [Location] {
        var locations: [Location] = []
        for (ruleIndex, rule) in rules.enumerated() {
            guard let destinations = rule[keyPath: destinationsKey] else { continue }
            let names = destinations.map(identity)
            let primaries = names.indices.filter { names[$0] == primary }
            let bursts = names.indices.filter { names[$0] == burst }
            guard !primaries.isEmpty, !bursts.isEmpty else { continue }
            guard primaries.count == 1, bursts.count == 1 else {
                throw RouterError(
                    .unusableRoute,
                    "spec.\(rulesKeyName)[\(ruleIndex)] has more than one \(naming.singular) \"\(primary)\" or "
                        + "\"\(burst)\"; cannot tell which weight to set")
            }
            for (index, destination) in destinations.enumerated() where index != primaries[0] && index != bursts[0] {
                if destination.weight.map({ $0 != .integer(0) }) ?? (missingWeight != 0) {
                    let others = kind == .virtualService ? "subsets" : "Services"
                    throw RouterError(
                        .unusableRoute,
                        "spec.\(rulesKeyName)[\(ruleIndex)].\(destinationsKeyName)[\(index)] sends traffic to a "
                            + "destination other than \(others) \"\(primary)\" and \"\(burst)\"; weights would not add "
                            + "up to 100")
                }
            }
            locations.append(Location(rule: ruleIndex, primary: primaries[0], burst: bursts[0]))
        }
        guard !locations.isEmpty else {
            throw RouterError(
                .unusableRoute,
                "the \(kindName) has no \(ruleName) with \(naming.plural) \"\(primary)\" and \"\(burst)\" (check "
                    + "\(naming.variables), and that both \(kind == .virtualService ? "destinations" : "backendRefs") "
                    + "are listed)")
        }
        return locations
    }

    private func weights(of rule: RouteObject.Rule, at location: Location) throws(RouterError) -> SubsetWeights {
        let destinations = rule[keyPath: destinationsKey] ?? []
        return SubsetWeights(
            primary: try weight(destinations[location.primary], at: location.rule, location.primary),
            burst: try weight(destinations[location.burst], at: location.rule, location.burst))
    }

    private func weight(_ destination: RouteObject.Destination, at rule: Int, _ index: Int) throws(RouterError) -> Int {
        switch destination.weight {
        case nil:
            return missingWeight
        case .integer(let weight) where (0...maximumWeight).contains(weight):
            return weight
        case .integer(let weight):
            throw badWeight(String(weight), rule, index)
        case .other(let text):
            throw badWeight(text, rule, index)
        }
    }

    private func badWeight(_ text: String, _ rule: Int, _ index: Int) -> RouterError {
        RouterError(
            .unusableRoute,
            "spec.\(rulesKeyName)[\(rule)].\(destinationsKeyName)[\(index)].weight is \(text), not an integer "
                + "0...\(maximumWeight)")
    }
}

/// The VirtualService editor's earlier name.
public typealias VirtualServiceEditor = RouteWeightEditor

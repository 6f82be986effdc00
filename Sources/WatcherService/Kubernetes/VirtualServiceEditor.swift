/// Reads and changes the primary/burst weights of a VirtualService document, touching nothing else.
///
/// Every HTTP route (`spec.http[i]`) whose destinations include exactly one of each subset is
/// ours; routes that mention only one of them (or neither) are left alone. The new document is
/// the parsed original with only those `weight` fields replaced, so metadata (resourceVersion
/// included), other routes, retries and any field this code has never heard of go back as read.
public struct VirtualServiceEditor: Sendable, Equatable {
    public let primarySubset: String
    public let burstSubset: String

    /// An editor for the destinations whose subsets have these names.
    public init(primarySubset: String = "primary", burstSubset: String = "burst") {
        self.primarySubset = primarySubset
        self.burstSubset = burstSubset
    }

    /// Positions of our two destinations in one route.
    struct Location: Equatable {
        let route: Int
        let primary: Int
        let burst: Int
    }

    /// The weights of the first route with both subsets.
    public func weights(in document: JSONValue) throws(RouterError) -> SubsetWeights {
        let http = try httpRoutes(document)
        let first = try locate(http)[0]
        return try weights(of: http[first.route], at: first)
    }

    /// The document with every route of ours set to `burstWeight` (primary 100 − it), or nil when
    /// all of them already are: then nothing needs writing.
    public func setting(burstWeight: Int, in document: JSONValue) throws(RouterError) -> JSONValue? {
        guard (0...100).contains(burstWeight) else {
            throw RouterError("burst weight \(burstWeight) is not in 0...100")
        }
        let wanted = SubsetWeights(burstWeight: burstWeight)
        var http = try httpRoutes(document)
        var changed = false
        for location in try locate(http) {
            guard try weights(of: http[location.route], at: location) != wanted else { continue }
            var route = http[location.route]
            var destinations = route["route"]?.arrayValue ?? []
            destinations[location.primary].set("weight", to: .integer(wanted.primary))
            destinations[location.burst].set("weight", to: .integer(wanted.burst))
            route.set("route", to: .array(destinations))
            http[location.route] = route
            changed = true
        }
        guard changed, var spec = document["spec"] else { return nil }
        spec.set("http", to: .array(http))
        var result = document
        result.set("spec", to: spec)
        return result
    }

    private func httpRoutes(_ document: JSONValue) throws(RouterError) -> [JSONValue] {
        guard document.isObject else { throw RouterError("the VirtualService is \(document.kindName), not an object") }
        guard let spec = document["spec"], spec.isObject else { throw RouterError("the VirtualService has no spec") }
        guard let http = spec["http"]?.arrayValue else {
            throw RouterError("the VirtualService has no spec.http routes, so there are no weights to set")
        }
        return http
    }

    func locate(_ http: [JSONValue]) throws(RouterError) -> [Location] {
        var locations: [Location] = []
        for (routeIndex, route) in http.enumerated() {
            guard let destinations = route["route"]?.arrayValue else { continue }
            let subsets = destinations.map { $0["destination"]?["subset"]?.stringValue }
            let primaries = subsets.indices.filter { subsets[$0] == primarySubset }
            let bursts = subsets.indices.filter { subsets[$0] == burstSubset }
            guard !primaries.isEmpty, !bursts.isEmpty else { continue }
            guard primaries.count == 1, bursts.count == 1 else {
                throw RouterError(
                    "spec.http[\(routeIndex)] has more than one destination with subset \"\(primarySubset)\" or "
                        + "\"\(burstSubset)\"; cannot tell which weight to set")
            }
            for (index, destination) in destinations.enumerated() where index != primaries[0] && index != bursts[0] {
                if let weight = destination["weight"]?.doubleValue, weight != 0 {
                    throw RouterError(
                        "spec.http[\(routeIndex)].route[\(index)] sends traffic to a destination other than subsets "
                            + "\"\(primarySubset)\" and \"\(burstSubset)\"; weights would not add up to 100")
                }
            }
            locations.append(Location(route: routeIndex, primary: primaries[0], burst: bursts[0]))
        }
        guard !locations.isEmpty else {
            throw RouterError(
                "the VirtualService has no HTTP route with destinations of both subsets \"\(primarySubset)\" and "
                    + "\"\(burstSubset)\" (check PRIMARY_SUBSET and BURST_SUBSET, and that both destinations "
                    + "are listed)")
        }
        return locations
    }

    private func weights(of route: JSONValue, at location: Location) throws(RouterError) -> SubsetWeights {
        let destinations = route["route"]?.arrayValue ?? []
        return SubsetWeights(
            primary: try weight(destinations[location.primary], at: location.route, location.primary),
            burst: try weight(destinations[location.burst], at: location.route, location.burst))
    }

    /// Istio reads a missing weight as 0 (proto3's default).
    private func weight(_ destination: JSONValue, at route: Int, _ index: Int) throws(RouterError) -> Int {
        guard let value = destination["weight"] else { return 0 }
        guard let weight = value.intValue, (0...100).contains(weight) else {
            throw RouterError(
                "spec.http[\(route)].route[\(index)].weight is \(value.serialized), not an integer 0...100")
        }
        return weight
    }
}

/// The parts of a VirtualService or HTTPRoute that the router reads, decoded from the API server's
/// answer with `JSONDecoder`.
///
/// Everything else in the object is ignored: the router writes with a JSON Patch that names only the
/// two weights (see `RouteWeightEditor`), so it never sends back what it did not read, and key order
/// or number spelling of the rest cannot matter.
public struct RouteObject: Decodable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: Metadata?
    public var spec: Spec?

    /// The object's identity and version, as Events' `involvedObject` and the patch's `test` need them.
    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String?
        public var namespace: String?
        public var uid: String?
        public var resourceVersion: String?
    }

    /// Only the rule lists of the two kinds.
    public struct Spec: Decodable, Sendable, Equatable {
        /// A VirtualService's HTTP routes.
        public var http: [Rule]?
        /// An HTTPRoute's rules.
        public var rules: [Rule]?
    }

    /// One rule: a list of weighted destinations.
    public struct Rule: Decodable, Sendable, Equatable {
        /// A VirtualService route's destinations.
        public var route: [Destination]?
        /// An HTTPRoute rule's backendRefs.
        public var backendRefs: [Destination]?
    }

    /// A VirtualService destination (`destination.subset`) or an HTTPRoute backendRef (`group`,
    /// `kind`, `name`), with its weight.
    public struct Destination: Decodable, Sendable, Equatable {
        public var destination: Target?
        public var group: String?
        public var kind: String?
        public var name: String?
        public var weight: Weight?

        public struct Target: Decodable, Sendable, Equatable {
            public var subset: String?
        }
    }

    /// A weight as written: an integer, or whatever else was there (spelled for an error message).
    /// Decoded leniently so that a bad weight is reported with its path rather than as a failed decode.
    public enum Weight: Decodable, Sendable, Equatable {
        case integer(Int)
        case other(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) {
                self = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                self = .other(String(number))
            } else if let text = try? container.decode(String.self) {
                self = .other("\"\(text)\"")
            } else if let flag = try? container.decode(Bool.self) {
                self = .other(String(flag))
            } else {
                self = .other("not a number")
            }
        }
    }
}

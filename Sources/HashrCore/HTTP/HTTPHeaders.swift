/// Header fields in the order received or added. Names compare case-insensitively; a name may
/// appear several times.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public var count: Int { fields.count }

    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// For a parser reading one message after another over the same headers: whether field `index`
    /// (the previous message's at that place) has these name and value bytes already.
    func repeats(at index: Int, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> (
        name: Bool, value: Bool
    ) {
        guard index < fields.count else { return (false, false) }
        // Through the buffer, whose elements are borrowed in place instead of copied and released.
        return fields.withUnsafeBufferPointer { fields in
            (HTTPSyntax.spells(fields[index].name, name), HTTPSyntax.spells(fields[index].value, value))
        }
    }

    /// For a parser reading one message after another over the same headers: field `index` becomes
    /// `name: value`, keeping the strings already there for the parts `repeated` says are the same
    /// (see `repeats`). On a kept-alive connection most fields repeat from one message to the next,
    /// so most strings are not made again, and once the previous message's head is gone no array
    /// storage is made either.
    mutating func setField(
        at index: Int, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>,
        repeated: (name: Bool, value: Bool)
    ) {
        guard index < fields.count else {
            // Room for a usual head's fields at once, rather than growing the list 1, 2, 4, 8.
            if fields.capacity == 0 { fields.reserveCapacity(8) }
            return fields.append(
                (name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        if !repeated.name { fields[index].name = String(decoding: name, as: UTF8.self) }
        if !repeated.value { fields[index].value = String(decoding: value, as: UTF8.self) }
    }

    /// Drops the fields from `index` on: what a parser's previous message had beyond this one's.
    mutating func removeFields(from index: Int) {
        if index < fields.count { fields.removeSubrange(index...) }
    }

    /// Replaces every field of that name with one.
    public mutating func replace(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// The comma-separated tokens of every `name` field, trimmed and lowercased
    /// (`Connection: keep-alive, Upgrade` gives `["keep-alive", "upgrade"]`).
    public func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
    }

    /// How many fields have this name.
    public func count(of name: String) -> Int {
        var count = 0
        for field in fields where field.name.equalsIgnoringASCIICase(name) { count += 1 }
        return count
    }

    /// Whether a comma-separated token of a `name` field equals `token` (lowercase ASCII), ignoring
    /// case and surrounding spaces: `tokens(name).contains(token)` without building the list.
    func hasToken(_ name: String, _ token: StaticString) -> Bool {
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            var utf8 = field.value.utf8[...]
            while !utf8.isEmpty {
                let item = utf8.prefix { $0 != UInt8(ascii: ",") }
                utf8 = utf8[item.endIndex...].dropFirst()
                if Self.isToken(item, token) { return true }
            }
        }
        return false
    }

    private static func isToken(_ item: Substring.UTF8View, _ token: StaticString) -> Bool {
        var item = item
        while let first = item.first, first == 0x20 || first == 0x09 { item = item.dropFirst() }
        while let last = item.last, last == 0x20 || last == 0x09 { item = item.dropLast() }
        return HTTPSyntax.equalsLowercased(item, token)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

extension String {
    /// ASCII case-insensitive equality, which is what header names and tokens need.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        // Most names compared differ in length, and a native string knows its length.
        guard utf8.count == other.utf8.count else { return false }
        // Native strings and literals hold their UTF-8 contiguously: compare the bytes directly.
        // Header lookups run several times per request, and the iterator path costs ~10x more.
        if let equal = utf8.withContiguousStorageIfAvailable({ left in
            other.utf8.withContiguousStorageIfAvailable { right in HTTPSyntax.equalIgnoringASCIICase(left, right) }
        }), let equal {
            return equal
        }
        return HTTPSyntax.equalIgnoringASCIICase(utf8, other.utf8)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The parts of a server's answer heads that repeat, kept as bytes: the last head's start (status
/// line, handler's fields, `Content-Length: `), which the next answer of a route mostly repeats,
/// and from `Date` on (the field of the current second, the configuration's default fields and the
/// wrappers' fields). Loop-confined.
///
/// It writes exactly what `HTTPHeadEncoder.responseHead(status:headers:adding:into:)` writes, and
/// hands over to it when a handler's field shares its name with a default field, since the
/// default then gives way.
final class HTTPResponseHeadCache {
    private let defaults: HTTPHeaders
    private let added: HTTPHeaders
    /// What follows `Date` for a handler whose fields share no name with a default, by whether
    /// `Content-Length` is replaced (2) and whether `Connection` is (1).
    private let tails: [[UInt8]]
    /// The last head up to `Content-Length`'s value, and what it was made of.
    private var start:
        (status: Int, headers: HTTPHeaders, replacesLength: Bool, replacesConnection: Bool, bytes: [UInt8]) =
            (-1, HTTPHeaders(), false, false, [])
    private var date: (second: UInt64, text: String) = (.max, "")
    /// `Date` and the tail after it, by the tail's index; empty until needed in this second.
    private var dateAndTails: [[UInt8]] = [[], [], [], []]

    init(defaults: HTTPHeaders, added: HTTPHeaders) {
        self.defaults = defaults
        self.added = added
        tails = [(false, false), (false, true), (true, false), (true, true)].map { replacesLength, replacesConnection in
            var bytes: [UInt8] = []
            HTTPHeadEncoder.appendDefaultsAndAdded(
                headers: HTTPHeaders(),
                server: HTTPHeadEncoder.ResponseFields(
                    contentLength: replacesLength ? 0 : nil, date: "", defaults: defaults, added: added,
                    connection: replacesConnection ? "close" : nil),
                into: &bytes)
            return bytes
        }
    }

    /// The wall clock's current second (`time()`, a vDSO call): what `second` means below. The
    /// loop's clock would not do: its seconds do not start when the wall clock's do, so the text
    /// would show the previous second for up to one.
    static var currentSecond: UInt64 { UInt64(time(nil)) }

    /// The `Date` header value, formatted once per `second` (`currentSecond`; tests pass their own).
    func dateText(second: UInt64) -> String {
        refreshDate(second: second)
        return date.text
    }

    /// The general head's fields for an answer: `Date`, the defaults and the wrappers' fields.
    func fields(contentLength: Int?, connection: String?, second: UInt64) -> HTTPHeadEncoder.ResponseFields {
        HTTPHeadEncoder.ResponseFields(
            contentLength: contentLength, date: dateText(second: second), defaults: defaults, added: added,
            connection: connection)
    }

    /// Appends an answer's status line and header block: the handler's `headers` (less
    /// `Content-Length` when `contentLength` replaces it, less `Connection` when `connection`
    /// does), `Content-Length`, `Date`, the defaults, the wrappers' fields, and `Connection`.
    func appendHead(
        status: Int, headers: HTTPHeaders, contentLength: Int?, connection: String?, second: UInt64,
        into bytes: inout [UInt8]
    ) {
        let replacesLength = contentLength != nil
        if !defaults.fields.isEmpty && sharesNameWithDefault(headers, replacesLength: replacesLength) {
            return HTTPHeadEncoder.responseHead(
                status: status, headers: headers,
                adding: fields(contentLength: contentLength, connection: connection, second: second), into: &bytes)
        }
        let replacesConnection = connection != nil
        if status != start.status || replacesLength != start.replacesLength
            || replacesConnection != start.replacesConnection || !Self.same(headers, start.headers)
        {
            start = (
                status, headers, replacesLength, replacesConnection,
                Self.start(
                    status: status, headers: headers, replacesLength: replacesLength,
                    replacesConnection: replacesConnection)
            )
        }
        bytes.append(contentsOf: start.bytes)
        if let contentLength {
            bytes.appendDecimal(contentLength)
            HTTPHeadEncoder.appendCRLF(to: &bytes)
        }
        refreshDate(second: second)
        let index = (replacesLength ? 2 : 0) + (replacesConnection ? 1 : 0)
        if dateAndTails[index].isEmpty {
            var field: [UInt8] = []
            HTTPHeadEncoder.appendField("Date", date.text, to: &field)
            dateAndTails[index] = field + tails[index]
        }
        bytes.append(contentsOf: dateAndTails[index])
        if let connection { HTTPHeadEncoder.appendField("Connection", connection, to: &bytes) }
        HTTPHeadEncoder.appendCRLF(to: &bytes)
    }

    /// Field by field, names and values byte for byte: what `==` says, without its generic walk.
    private static func same(_ left: HTTPHeaders, _ right: HTTPHeaders) -> Bool {
        let left = left.fields
        let right = right.fields
        guard left.count == right.count else { return false }
        for index in left.indices where left[index].name != right[index].name || left[index].value != right[index].value
        {
            return false
        }
        return true
    }

    /// The status line, the handler's fields the server does not replace, and `Content-Length: `
    /// when it does replace that.
    private static func start(status: Int, headers: HTTPHeaders, replacesLength: Bool, replacesConnection: Bool)
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        HTTPHeadEncoder.appendStatusAndHandlerFields(
            status: status, headers: headers, replacesLength: replacesLength, replacesConnection: replacesConnection,
            into: &bytes)
        if replacesLength { bytes.append(contentsOf: contentLengthName) }
        return bytes
    }

    private static let contentLengthName: [UInt8] = Array("Content-Length: ".utf8)

    /// Whether a default field gives way to one of the handler's (a replaced `Content-Length` of
    /// the handler's does not count: it is not written).
    private func sharesNameWithDefault(_ headers: HTTPHeaders, replacesLength: Bool) -> Bool {
        headers.fields.contains { field in
            !(replacesLength && field.name.equalsIgnoringASCIICase("content-length")) && defaults.contains(field.name)
        }
    }

    private func refreshDate(second: UInt64) {
        guard second != date.second else { return }
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        date = (second, String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        dateAndTails = [[], [], [], []]
    }
}

extension HTTPHeadEncoder {
    /// What the server adds to every answer's head besides the handler's own fields.
    struct ResponseFields {
        /// `Content-Length` for an answer with a body (replacing the handler's); nil for none.
        var contentLength: Int?
        var date: String
        /// The configuration's default fields, each added unless the head has a field of its name.
        var defaults: HTTPHeaders
        /// The wrappers' fields (CORS), added to every head.
        var added: HTTPHeaders
        /// Replaces every `Connection` field: `close`, or `keep-alive` on HTTP/1.0; nil leaves them.
        var connection: String?
    }

    /// The status line and header block of an answer, written straight from the handler's fields
    /// and the server's, in this order: the handler's fields (less `Content-Length`), then
    /// `Content-Length`, `Date`, the defaults, the wrappers' fields, and `Connection`. No header
    /// list is copied or built: this runs for every answer.
    static func responseHead(status: Int, headers: HTTPHeaders, adding server: ResponseFields, into bytes: inout [UInt8]) {
        appendStatusAndHandlerFields(
            status: status, headers: headers, replacesLength: server.contentLength != nil,
            replacesConnection: server.connection != nil, into: &bytes)
        if let length = server.contentLength {
            bytes.appendUTF8("Content-Length: ")
            bytes.appendDecimal(length)
            appendCRLF(to: &bytes)
        }
        appendField("Date", server.date, to: &bytes)
        appendDefaultsAndAdded(headers: headers, server: server, into: &bytes)
        if let connection = server.connection { appendField("Connection", connection, to: &bytes) }
        appendCRLF(to: &bytes)
    }

    /// The status line and the handler's fields, less `Content-Length` and `Connection` when the
    /// server replaces them.
    static func appendStatusAndHandlerFields(
        status: Int, headers: HTTPHeaders, replacesLength: Bool, replacesConnection: Bool, into bytes: inout [UInt8]
    ) {
        appendStatusLine(status, to: &bytes)
        for field in headers.fields {
            if replacesLength && field.name.equalsIgnoringASCIICase("content-length") { continue }
            if replacesConnection && field.name.equalsIgnoringASCIICase("connection") { continue }
            appendField(field.name, field.value, to: &bytes)
        }
    }

    /// The defaults the handler's fields leave room for, then the wrappers' fields: what follows
    /// `Date`. With no handler fields it depends on the configuration and on whether
    /// `Content-Length` and `Connection` are replaced, nothing else (`HTTPResponseHeadCache` lays it out once).
    static func appendDefaultsAndAdded(headers: HTTPHeaders, server: ResponseFields, into bytes: inout [UInt8]) {
        let replacesContentLength = server.contentLength != nil
        let replacesConnection = server.connection != nil
        func kept(_ name: String) -> Bool {
            !(replacesConnection && name.equalsIgnoringASCIICase("connection"))
        }
        if !server.defaults.fields.isEmpty {
            var present = HTTPHeaders()
            for field in server.defaults.fields {
                let name = field.name
                let taken =
                    (replacesContentLength && name.equalsIgnoringASCIICase("content-length"))
                    || name.equalsIgnoringASCIICase("date") || present.contains(name)
                    || headers.fields.contains { $0.name.equalsIgnoringASCIICase(name) && !(replacesContentLength && $0.name.equalsIgnoringASCIICase("content-length")) }
                guard !taken else { continue }
                present.add(name, field.value)
                if kept(name) { appendField(name, field.value, to: &bytes) }
            }
        }
        for field in server.added.fields where kept(field.name) {
            appendField(field.name, field.value, to: &bytes)
        }
    }

    static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.appendUTF8(name)
        appendColonSpace(to: &bytes)
        bytes.appendUTF8(value)
        appendCRLF(to: &bytes)
    }
}

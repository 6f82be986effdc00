/// Lays a command out in Redis's wire format (RESP: an array of bulk strings), as hiredis's
/// `redisFormatCommandArgv` does, into a buffer the caller reuses: for the hot PUBLISH, which then
/// costs no formatting inside hiredis and no allocation of its own.
enum RedisCommandEncoder {
    /// `*<count>\r\n`: starts a command of `count` arguments.
    static func appendHeader(count: Int, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        buffer.appendDecimal(count)
        HTTPHeadEncoder.appendCRLF(to: &buffer)
    }

    /// `$<length>\r\n<bytes>\r\n`: one argument. Contiguous bytes (an array, a native string's
    /// UTF-8) are copied at once, not through the generic collection path.
    static func appendArgument(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "$"))
        buffer.appendDecimal(bytes.count)
        HTTPHeadEncoder.appendCRLF(to: &buffer)
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if copied == nil { buffer.append(contentsOf: bytes) }
        HTTPHeadEncoder.appendCRLF(to: &buffer)
    }

    /// `PUBLISH <channel>` up to the message: the same for every message on a channel, so a
    /// publisher lays it out once.
    static func publishHead(channel: String) -> [UInt8] {
        var head: [UInt8] = []
        appendHeader(count: 3, to: &head)
        appendArgument("PUBLISH".utf8, to: &head)
        appendArgument(channel.utf8, to: &head)
        return head
    }
}

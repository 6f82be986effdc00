/// Lays a command out in Redis's wire format (RESP: an array of bulk strings), as hiredis's
/// `redisFormatCommandArgv` does, into a buffer the caller reuses: for the hot PUBLISH, which then
/// costs no formatting inside hiredis and no allocation of its own.
enum RedisCommandEncoder {
    /// `*<count>\r\n`: starts a command of `count` arguments.
    static func appendHeader(count: Int, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        HTTPHeadEncoder.appendDecimal(count, to: &buffer)
        HTTPHeadEncoder.appendCRLF(to: &buffer)
    }

    /// `$<length>\r\n<bytes>\r\n`: one argument.
    static func appendArgument(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "$"))
        HTTPHeadEncoder.appendDecimal(bytes.count, to: &buffer)
        HTTPHeadEncoder.appendCRLF(to: &buffer)
        buffer.append(contentsOf: bytes)
        HTTPHeadEncoder.appendCRLF(to: &buffer)
    }
}

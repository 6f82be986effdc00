import Testing

@testable import HashrCore

@Suite struct RedisCommandEncoderTests {
    /// The same bytes hiredis's own formatting sends for `PUBLISH calculation <message>`.
    @Test func publishInTheWireFormat() {
        var buffer: [UInt8] = []
        RedisCommandEncoder.appendHeader(count: 3, to: &buffer)
        RedisCommandEncoder.appendArgument("PUBLISH".utf8, to: &buffer)
        RedisCommandEncoder.appendArgument("calculation".utf8, to: &buffer)
        RedisCommandEncoder.appendArgument([UInt8]("a\r\nb".utf8), to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "*3\r\n$7\r\nPUBLISH\r\n$11\r\ncalculation\r\n$4\r\na\r\nb\r\n")
        var empty: [UInt8] = []
        RedisCommandEncoder.appendArgument([UInt8](), to: &empty)
        #expect(String(decoding: empty, as: UTF8.self) == "$0\r\n\r\n")
    }
}

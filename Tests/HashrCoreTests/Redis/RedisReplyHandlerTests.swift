import Testing

@testable import HashrCore

/// PUBLISH's handler turns the integer reply into a count and anything else into a failure, as the
/// closure it replaced did.
@Suite struct RedisReplyHandlerTests {
    func counted(_ result: Result<RedisReply, RedisError>) -> Result<Int, RedisError>? {
        var seen: Result<Int, RedisError>?
        RedisReplyHandler.count { seen = $0 }(result)
        return seen
    }

    @Test func countsAreIntegers() {
        #expect(counted(.success(.integer(3))) == .success(3))
        #expect(counted(.success(.integer(0))) == .success(0))
    }

    @Test func otherRepliesAndFailuresFail() {
        #expect(counted(.success(.status("OK"))) == .failure(.unexpectedReply("\(RedisReply.status("OK"))")))
        #expect(counted(.success(.null)) == .failure(.unexpectedReply("\(RedisReply.null)")))
        #expect(counted(.failure(.notConnected)) == .failure(.notConnected))
        #expect(counted(.failure(.errorReply("ERR x"))) == .failure(.errorReply("ERR x")))
    }

    @Test func repliesPassThrough() {
        var seen: Result<RedisReply, RedisError>?
        RedisReplyHandler.reply { seen = $0 }(.success(.bulk([1, 2])))
        #expect(seen == .success(.bulk([1, 2])))
    }
}

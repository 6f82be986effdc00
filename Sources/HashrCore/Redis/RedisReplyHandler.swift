/// What runs, exactly once, with a command's reply or the reason it failed.
enum RedisReplyHandler {
    /// The reply as it came.
    case reply((Result<RedisReply, RedisError>) -> Void)
    /// An integer reply as an `Int` (PUBLISH's receivers); any other reply fails with
    /// `.unexpectedReply`. A case of its own rather than a closure around `.reply`: that closure
    /// was an allocation per PUBLISH.
    case count((Result<Int, RedisError>) -> Void)

    func callAsFunction(_ result: Result<RedisReply, RedisError>) {
        switch self {
        case .reply(let completion):
            completion(result)
        case .count(let completion):
            switch result {
            case .success(.integer(let count)): completion(.success(Int(count)))
            case .success(let other): completion(.failure(.unexpectedReply("\(other)")))
            case .failure(let error): completion(.failure(error))
            }
        }
    }
}

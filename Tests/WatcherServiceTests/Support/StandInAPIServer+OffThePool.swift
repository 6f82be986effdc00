import HashrTestSupport

/// The stand-in's control calls for async tests: each is an HTTPS request that blocks, so it runs
/// off the cooperative pool. (The synchronous forms stay for synchronous callers.)
extension StandInAPIServer {
    func set(_ options: JSONTree) async throws {
        try await OffThePool.run { try self.set(options) as Void }
    }

    func requests() async throws -> [JSONTree] {
        try await OffThePool.run { try self.requests() as [JSONTree] }
    }

    func storedVirtualService() async throws -> JSONTree {
        try await OffThePool.run { try self.storedVirtualService() as JSONTree }
    }

    func storedHTTPRoute() async throws -> JSONTree {
        try await OffThePool.run { try self.storedHTTPRoute() as JSONTree }
    }

    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String? = nil,
        token: String? = "test-token"
    ) async throws -> (status: Int, body: JSONTree) {
        try await OffThePool.run { () throws -> (status: Int, body: JSONTree) in
            try self.send(method, path, body: body, contentType: contentType, token: token)
        }
    }
}

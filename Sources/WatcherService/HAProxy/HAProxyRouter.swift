/// Routes by setting the weights of two servers of an HAProxy backend over its runtime API.
///
/// The weights are written as 100 − w (primary) and w (burst). The one being raised is written
/// first, so there is never a moment where both are 0 and HAProxy has nowhere to send requests.
public struct HAProxyRouter: WeightRouter {
    /// The runtime API's address, the backend and its two servers.
    public let configuration: HAProxyRouterConfiguration
    private let connection: BlockingTCPExchange

    /// A router that talks to the runtime API described by `configuration`.
    public init(configuration: HAProxyRouterConfiguration) {
        self.configuration = configuration
        self.connection = BlockingTCPExchange(
            host: configuration.host, port: configuration.port, timeout: configuration.timeout)
    }

    public var target: String {
        "HAProxy backend \(configuration.backend) at \(configuration.host):\(configuration.port)"
    }

    /// Both servers' weights; burst's share of traffic follows from them.
    public func readWeights() throws(RouterError) -> SubsetWeights {
        SubsetWeights(
            primary: try weight(of: configuration.primaryServer), burst: try weight(of: configuration.burstServer))
    }

    public func readBurstWeight() throws(RouterError) -> Int? {
        try readWeights().burstShare
    }

    public func apply(burstWeight: Int, reason: String) throws(RouterError) -> RouterChange {
        guard (0...100).contains(burstWeight) else {
            throw RouterError(.invalidWeight, "burst weight \(burstWeight) is not in 0...100")
        }
        let current = try readWeights()
        let wanted = SubsetWeights(burstWeight: burstWeight)
        guard current != wanted else { return .unchanged }
        let primary = (configuration.primaryServer, wanted.primary)
        let burst = (configuration.burstServer, wanted.burst)
        let order = wanted.burst > current.burst ? [burst, primary] : [primary, burst]
        for (position, (server, weight)) in order.enumerated() {
            do {
                try set(server, to: weight)
            } catch  where position > 0 {
                throw RouterError(
                    "\(error.message); \(order[0].0) was already set to \(order[0].1), retrying next tick")
            }
        }
        return RouterChange(changed: true)
    }

    private func weight(of server: String) throws(RouterError) -> Int {
        let reply = try connection.exchange(
            HAProxyRuntimeCommand.getWeight(backend: configuration.backend, server: server))
        return try HAProxyRuntimeCommand.parseWeight(reply, server: "\(configuration.backend)/\(server)")
    }

    private func set(_ server: String, to weight: Int) throws(RouterError) {
        let command = HAProxyRuntimeCommand.setWeight(backend: configuration.backend, server: server, weight: weight)
        try HAProxyRuntimeCommand.checkSetReply(
            try connection.exchange(command), server: "\(configuration.backend)/\(server)")
    }
}

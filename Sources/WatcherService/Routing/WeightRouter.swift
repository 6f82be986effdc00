/// The one small interface behind which the routers (kubernetes and gateway-api, haproxy, command) sit.
///
/// Calls block (network or a child process) and so must not run on the event loop's thread; run
/// them on libuv's thread pool, one at a time per router. Weights are the burst side's share of
/// traffic, 0...100; primary gets the rest.
public protocol WeightRouter: Sendable {
    /// What this router changes, for log lines (e.g. `VirtualService default/worker-virtual-service`).
    var target: String { get }

    /// The route's current burst weight, or nil when this router cannot read it (the command
    /// router), in which case the driver applies its believed state at start.
    func readBurstWeight() throws(RouterError) -> Int?

    /// Moves the route to `burstWeight`. Writes nothing when it is already there (`changed` false).
    /// `reason` is recorded where the router can (a Kubernetes Event). A thrown error means the
    /// route was not changed, or not known to be.
    func apply(burstWeight: Int, reason: String) throws(RouterError) -> RouterChange
}

/// A generated request the driver must send now.
public struct PlannedRequest: Sendable, Equatable {
    /// When the request was due (nanoseconds); report it back with the outcome, since latency is
    /// measured from here.
    public var intendedSendTime: Int64
    /// The JSON body, `{"str":"..."}`.
    public var body: [UInt8]

    public init(intendedSendTime: Int64, body: [UInt8]) {
        self.intendedSendTime = intendedSendTime
        self.body = body
    }
}

extension ResultStreams {
    /// What one flush asks of the driver.
    public struct Flush: Sendable {
        /// The framed events, to write as one buffer to every client in `writeTo`; empty when there was
        /// nothing to send.
        public var bytes: [UInt8]
        /// Clients to write `bytes` to; report each completed write with `written(_:to:)`.
        public var writeTo: [ClientID]
        /// Clients that fell too far behind: close their connections.
        public var disconnect: [ClientID]

        public init(bytes: [UInt8], writeTo: [ClientID], disconnect: [ClientID]) {
            self.bytes = bytes
            self.writeTo = writeTo
            self.disconnect = disconnect
        }
    }
}

/// Lets the connection state machine's actions, which name addresses, be compared in tests.
extension SocketAddress: Equatable {
    static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.storage.ss_family == rhs.storage.ss_family
    }
}

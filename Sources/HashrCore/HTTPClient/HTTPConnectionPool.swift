/// The keep-alive connections to one host:port, capped; requests beyond the cap wait in order.
final class HTTPConnectionPool {
    typealias Completion = HTTPClientConnection.Completion

    let loop: EventLoop
    let endpoint: HTTPEndpoint
    let configuration: HTTPClient.Configuration
    private var idle: [HTTPClientConnection] = []
    private var all: [ObjectIdentifier: HTTPClientConnection] = [:]
    private var waiting: [(request: HTTPClientRequest, completion: Completion, deadline: UInt64)] = []
    private var waitingHead = 0
    private var closed = false

    init(loop: EventLoop, endpoint: HTTPEndpoint, configuration: HTTPClient.Configuration) {
        self.loop = loop
        self.endpoint = endpoint
        self.configuration = configuration
    }

    var connectionCount: Int { all.count }
    var idleCount: Int { idle.count }
    var waitingCount: Int { waiting.count - waitingHead }

    func submit(_ request: HTTPClientRequest, completion: @escaping Completion) {
        guard !closed else { return completion(.failure(.closed)) }
        if let connection = idle.popLast() {
            return connection.send(request, completion: completion)
        }
        if all.count < configuration.maxConnectionsPerHost {
            return open(request, completion: completion)
        }
        guard waitingCount < configuration.maxWaitingRequestsPerHost else {
            return completion(.failure(.queueFull(limit: configuration.maxWaitingRequestsPerHost)))
        }
        let timeout = request.timeout ?? configuration.requestTimeout
        waiting.append((request, completion, EventLoop.monotonicNanoseconds() + UInt64(timeout.nanoseconds)))
    }

    private func open(_ request: HTTPClientRequest, completion: @escaping Completion) {
        let connection: HTTPClientConnection
        do {
            connection = try HTTPClientConnection(pool: self)
        } catch {
            return completion(.failure(.connectFailed(address: endpoint.authority, reason: error.message)))
        }
        all[ObjectIdentifier(connection)] = connection
        connection.open(sending: request, completion: completion)
    }

    /// A connection finished its request and may be reused.
    func connectionIsIdle(_ connection: HTTPClientConnection) {
        if let next = dequeueWaiting() {
            return connection.send(next.request, completion: next.completion)
        }
        if closed { return connection.close() }
        idle.append(connection)
    }

    func connectionClosed(_ connection: HTTPClientConnection) {
        all[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        // A slot opened: the oldest waiting request gets a new connection.
        if !closed, all.count < configuration.maxConnectionsPerHost, let next = dequeueWaiting() {
            open(next.request, completion: next.completion)
        }
    }

    private func dequeueWaiting() -> (request: HTTPClientRequest, completion: Completion)? {
        expireWaiting()
        guard waitingHead < waiting.count else { return nil }
        let next = waiting[waitingHead]
        waitingHead += 1
        if waitingHead > 1024 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
        return (next.request, next.completion)
    }

    /// Fails waiting requests whose timeout has passed (the client's sweep timer calls this too).
    func expireWaiting() {
        let now = EventLoop.monotonicNanoseconds()
        while waitingHead < waiting.count, waiting[waitingHead].deadline <= now {
            let expired = waiting[waitingHead]
            waitingHead += 1
            expired.completion(.failure(.timeout(after: expired.request.timeout ?? configuration.requestTimeout)))
        }
    }

    /// Fails everything waiting and in flight, and closes every connection.
    func close() {
        guard !closed else { return }
        closed = true
        let pending = waiting[waitingHead...]
        waiting = []
        waitingHead = 0
        for item in pending { item.completion(.failure(.closed)) }
        for connection in Array(all.values) { connection.fail(.closed) }
        idle.removeAll()
    }
}

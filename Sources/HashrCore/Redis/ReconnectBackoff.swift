/// Delays between reconnect attempts: exponential, capped, with jitter so that many clients cut off by
/// the same Redis restart do not all come back in the same millisecond.
///
/// Pure: the random source is injected, so tests pin every delay.
public struct ReconnectBackoff: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The delay before the first retry. Default 50 ms: a restarted Redis is usually back at once.
        public var initialDelay: Duration
        /// No delay exceeds this. Default 2 s, so service resumes within about 2 s of Redis returning.
        public var maximumDelay: Duration
        /// Each attempt multiplies the delay by this (at least 1). Default 2.
        public var multiplier: Double
        /// The fraction of each delay that is random, from 0 (none) to 1 (anywhere from zero up to the
        /// delay). Default 0.5: a delay `d` is drawn from `d/2 ... d`.
        public var jitter: Double

        public init(
            initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(2), multiplier: Double = 2,
            jitter: Double = 0.5
        ) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.multiplier = multiplier
            self.jitter = jitter
        }
    }

    public let configuration: Configuration
    /// Failed attempts since the last `reset()`.
    public private(set) var attempts = 0
    private let random: @Sendable () -> Double

    /// - Parameter random: returns a value in `0..<1`; the default is the system generator.
    public init(
        configuration: Configuration = .init(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.random = random
    }

    /// The delay before the next attempt; counts the attempt.
    public mutating func nextDelay() -> Duration {
        let initial = max(Self.seconds(configuration.initialDelay), 0)
        let maximum = max(Self.seconds(configuration.maximumDelay), initial)
        let multiplier = max(configuration.multiplier, 1)
        var ceiling = initial
        var grown = 0
        // Stops at the cap, so this is a few steps however long Redis has been away.
        while grown < attempts && ceiling > 0 && ceiling < maximum && multiplier > 1 {
            ceiling *= multiplier
            grown += 1
        }
        ceiling = min(ceiling, maximum)
        attempts += 1
        let jitter = min(max(configuration.jitter, 0), 1)
        let draw = min(max(random(), 0), 1)
        let delay = ceiling * (1 - jitter * draw)
        return .nanoseconds(Int64((delay * 1e9).rounded()))
    }

    /// Starts again from `initialDelay`, after a successful connection.
    public mutating func reset() {
        attempts = 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

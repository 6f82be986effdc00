#if canImport(Glibc)
import Glibc
#endif

/// The local hour of day (0-23), recomputed at most once a second: `localtime_r` is not free and
/// the worker asks on every request.
public final class HourOfDay {
    private var cachedSecond = -1
    private var cachedHour = 0

    public init() {}

    public func current() -> Int {
        let now = time(nil)
        if Int(now) != cachedSecond {
            var seconds = now
            var parts = tm()
            localtime_r(&seconds, &parts)
            cachedSecond = Int(now)
            cachedHour = Int(parts.tm_hour)
        }
        return cachedHour
    }
}

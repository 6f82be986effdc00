extension GeneratorStatistics {
    /// The statistics as seen at `now`, with the scheduler's current target rate.
    public func snapshot(now: Int64, targetRate: Double) -> StatsSnapshot {
        let currentSecond = SecondBuckets.second(of: now)

        // Rates average whole seconds only: the current one is incomplete. The first second after
        // start is incomplete too, so just after start the window is shorter.
        let firstWholeSecond = SecondBuckets.second(of: startTime) + 1
        let rateWindowStart = max(currentSecond - Int64(configuration.rateWindowSeconds), firstWholeSecond)
        let rateWindow =
            rateWindowStart < currentSecond ? rateWindowStart..<currentSecond : currentSecond..<currentSecond
        let rateSeconds = Double(rateWindow.count)
        func rate(_ count: Int) -> Double { rateSeconds > 0 ? Double(count) / rateSeconds : 0 }
        let sentInWindow = sentPerSecond.sum(over: rateWindow)
        let resultsInWindow = primaryPerSecond.sum(over: rateWindow) + burstPerSecond.sum(over: rateWindow)

        // A share is a ratio, unbiased by an incomplete second, so it includes the current one and
        // reacts at once when the mesh moves traffic.
        let shareWindow = (currentSecond - Int64(configuration.shareWindowSeconds) + 1)..<(currentSecond + 1)
        let primary = primaryPerSecond.sum(over: shareWindow)
        let burst = burstPerSecond.sum(over: shareWindow)
        let shareTotal = Double(primary + burst)

        let historyStart = max(currentSecond - Int64(configuration.historySeconds), firstWholeSecond - 1)
        let history = (historyStart..<currentSecond).map { second in
            SecondSample(
                sent: sentPerSecond.count(atSecond: second), dropped: droppedPerSecond.count(atSecond: second),
                primary: primaryPerSecond.count(atSecond: second), burst: burstPerSecond.count(atSecond: second))
        }

        return StatsSnapshot(
            targetRate: targetRate,
            achievedRate: rate(sentInWindow),
            rateWindowSeconds: rateWindow.count,
            sent: sent,
            succeeded: succeeded,
            failed: failed,
            failedByReason: Dictionary(
                uniqueKeysWithValues: FailureReason.allCases.map { ($0.rawValue, failedByReason[$0] ?? 0) }),
            dropped: dropped,
            droppedByReason: Dictionary(
                uniqueKeysWithValues: DropReason.allCases.map { ($0.rawValue, droppedByReason[$0] ?? 0) }),
            inFlight: inFlight,
            latency: LatencyRecorder.summary(of: latency.recent(now: now)),
            latencyWindowSeconds: configuration.latencyIntervalSeconds * 2,
            latencySinceStart: latencySinceStart,
            resultsReceived: resultsReceived,
            burstResultsReceived: burstResultsReceived,
            resultRate: rate(resultsInWindow),
            primaryShare: shareTotal > 0 ? Double(primary) / shareTotal : 0,
            burstShare: shareTotal > 0 ? Double(burst) / shareTotal : 0,
            shareWindowSeconds: configuration.shareWindowSeconds,
            history: history,
            uptimeSeconds: Double(now - startTime) / 1e9)
    }
}

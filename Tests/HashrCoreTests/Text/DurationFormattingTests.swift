import Testing

@testable import HashrCore

@Suite struct DurationFormattingTests {
    @Test(arguments: [
        (Duration.seconds(2), "2s"), (.zero, "0s"), (.milliseconds(250), "250ms"), (.milliseconds(1500), "1500ms"),
        (.seconds(3600), "3600s"), (.microseconds(1500), "1ms"), (.microseconds(999), "0ms"),
        (.milliseconds(-250), "-250ms"),
    ])
    func shortText(_ duration: Duration, _ text: String) {
        #expect(duration.shortText == text)
    }

    @Test(arguments: [Duration.seconds(1), .milliseconds(250), .milliseconds(1500), .seconds(90), .zero])
    func theEnvironmentReaderReadsItBack(_ duration: Duration) {
        #expect(EnvironmentReader.parseDuration(duration.shortText) == duration)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), Int64(1500)), (.microseconds(1999), 1), (.microseconds(999), 0), (.zero, 0),
        (.milliseconds(-1500), -1500), (.microseconds(-1500), -1), (.seconds(86_400), 86_400_000),
    ])
    func wholeMillisecondsDropTheFraction(_ duration: Duration, _ milliseconds: Int64) {
        #expect(duration.wholeMilliseconds == milliseconds)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), UInt64(1500)), (.microseconds(1), 1), (.microseconds(1001), 2), (.zero, 0),
        (.seconds(-1), 0), (.microseconds(-500), 0), (.nanoseconds(-1), 0),
    ])
    func timerMillisecondsRoundUpAndNeverGoBelowZero(_ duration: Duration, _ milliseconds: UInt64) {
        #expect(duration.milliseconds == milliseconds)
    }

    @Test func nanoseconds() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.nanoseconds(-7).nanoseconds == -7)
    }
}

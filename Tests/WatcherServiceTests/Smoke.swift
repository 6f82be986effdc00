import Testing
@testable import WatcherService
@Test func builds() { #expect(Bool(true)) }

import Testing
@testable import WorkerService
@Test func builds() { #expect(Bool(true)) }

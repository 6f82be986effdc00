import Testing
@testable import FrontendService
@Test func builds() { #expect(Bool(true)) }

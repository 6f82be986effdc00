import Testing
@testable import HashrCore
@Test func builds() { #expect(Bool(true)) }

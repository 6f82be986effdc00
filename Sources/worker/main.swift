import Foundation

// Filled in by its own issue; until then this binary says so and fails.
FileHandle.standardError.write("worker: not built yet\n".data(using: .utf8)!)
exit(1)

@testable import WorkerService

/// The hash and base64 as strings, for the tests' known vectors (the worker writes both into its
/// answer in place).
extension HashComputation {
    mutating func hash(_ input: String) -> String {
        var input = input
        let utf16Count = input.utf16.count
        return input.withUTF8 { hash(ofUTF8: $0, utf16Count: utf16Count) }
    }

    mutating func hash(ofUTF8 input: UnsafeBufferPointer<UInt8>, utf16Count: Int) -> String {
        String(unsafeUninitializedCapacity: Self.textLength) { output in
            writeHash(ofUTF8: input, utf16Count: utf16Count, into: output)
            return Self.textLength
        }
    }
}

extension Base64Text {
    static func encode(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: encodedCount(bytes.count)) { output in
            bytes.withUnsafeBufferPointer { encode($0, into: output) }
            return encodedCount(bytes.count)
        }
    }
}

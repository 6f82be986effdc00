import Testing

@testable import WatcherService

@Suite struct HAProxyRuntimeCommandTests {
    @Test func formatsCommands() {
        #expect(HAProxyRuntimeCommand.getWeight(backend: "worker", server: "primary") == "get weight worker/primary\n")
        #expect(
            HAProxyRuntimeCommand.setWeight(backend: "worker", server: "burst", weight: 100)
                == "set weight worker/burst 100\n")
    }

    @Test(arguments: [
        ("100 (initial 100)\n", 100), ("0 (initial 1)\n\n", 0), ("256 (initial 256)", 256), (" 7 (initial 3) ", 7),
    ])
    func parsesWeights(reply: String, weight: Int) throws {
        #expect(try HAProxyRuntimeCommand.parseWeight(reply, server: "worker/primary") == weight)
    }

    @Test(arguments: [
        ("No such server.\n", "HAProxy could not tell the weight of worker/primary: No such server."),
        ("No such backend.\n", "HAProxy could not tell the weight of worker/primary: No such backend."),
        ("", "HAProxy could not tell the weight of worker/primary: empty reply (is the stats socket at level admin?)"),
        ("257 (initial 1)\n", "HAProxy could not tell the weight of worker/primary: 257 (initial 1)"),
        ("7  (initial 3)", "HAProxy could not tell the weight of worker/primary: 7  (initial 3)"),
        ("7 (initial 3) x", "HAProxy could not tell the weight of worker/primary: 7 (initial 3) x"),
        ("7 (initial )", "HAProxy could not tell the weight of worker/primary: 7 (initial )"),
        ("7 (initial 3 )", "HAProxy could not tell the weight of worker/primary: 7 (initial 3 )"),
        ("-7 (initial 3)", "HAProxy could not tell the weight of worker/primary: -7 (initial 3)"),
        ("7 (Initial 3)", "HAProxy could not tell the weight of worker/primary: 7 (Initial 3)"),
        (
            "99999999999999999999 (initial 1)",
            "HAProxy could not tell the weight of worker/primary: 99999999999999999999 (initial 1)"
        ),
        (
            "Permission denied\nline two\n",
            "HAProxy could not tell the weight of worker/primary: Permission denied line two"
        ),
    ])
    func unreadableWeightsAreErrors(reply: String, message: String) {
        #expect(throws: RouterError(.refused, message)) {
            try HAProxyRuntimeCommand.parseWeight(reply, server: "worker/primary")
        }
    }

    @Test func setRepliesAreEmptyOnSuccess() throws {
        try HAProxyRuntimeCommand.checkSetReply("", server: "worker/burst")
        try HAProxyRuntimeCommand.checkSetReply("\n", server: "worker/burst")
        #expect(throws: RouterError(.refused, "HAProxy refused to set the weight of worker/burst: No such server.")) {
            try HAProxyRuntimeCommand.checkSetReply("No such server.\n", server: "worker/burst")
        }
        let staticAlgorithm = "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
        #expect(
            throws: RouterError(
                .refused, "HAProxy refused to set the weight of worker/burst: \(staticAlgorithm.dropLast())")
        ) {
            try HAProxyRuntimeCommand.checkSetReply(staticAlgorithm, server: "worker/burst")
        }
    }
}

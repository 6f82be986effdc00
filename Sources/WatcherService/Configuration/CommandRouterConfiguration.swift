import FoundationEssentials
import HashrCore

/// The command router's command line and limit.
public struct CommandRouterConfiguration: Sendable, Equatable {
    /// `ROUTER_COMMAND`, run with `/bin/sh -c`. `{state}` becomes `natural` (burst weight 0) or
    /// `burst` (any other weight); `{weight}` becomes the burst weight 0...100.
    public var template: String
    /// `ROUTER_TIMEOUT`: a command still running after this is killed and counts as failed.
    public var timeout: Duration

    public init(template: String, timeout: Duration = .seconds(10)) {
        self.template = template
        self.timeout = timeout
    }

    /// Overflow mode sets weights between 0 and 100, which only `{weight}` can express.
    init(environment env: EnvironmentReader, timeout: Duration, mode: BurstMode) throws {
        let template = try env.required(
            "ROUTER_COMMAND", because: "the command to run when ROUTER=command, e.g. kubectl apply -f {state}.yaml")
        if case .overflow = mode {
            guard template.contains("{weight}") else {
                throw ConfigurationError(
                    variable: "ROUTER_COMMAND", value: template,
                    expected: "a command with {weight} when BURST_MODE=overflow ({state} is only natural or burst)")
            }
        } else {
            guard template.contains("{state}") || template.contains("{weight}") else {
                throw ConfigurationError(
                    variable: "ROUTER_COMMAND", value: template, expected: "a command containing {state} or {weight}")
            }
        }
        self.init(template: template, timeout: timeout)
    }

    /// The routing state's name for a burst weight, as in `istio-manifests/{natural,burst}.yaml`.
    public static func state(forBurstWeight weight: Int) -> String {
        weight == 0 ? "natural" : "burst"
    }

    /// The command line for a burst weight.
    public func command(forBurstWeight weight: Int) -> String {
        template
            .replacing("{state}", with: Self.state(forBurstWeight: weight))
            .replacing("{weight}", with: String(weight))
    }
}

import HashrCore
import HashrTestSupport
import Testing

@testable import WatcherService

@Suite struct WatcherConfigurationTests {
    /// A service-account folder like the one Kubernetes mounts.
    private func withAccount(namespace: String? = "hashr\n", _ body: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", "secret-token\n")
        try directory.write("ca.crt", "-----BEGIN CERTIFICATE-----\n")
        if let namespace { try directory.write("namespace", namespace) }
        try body(directory.path)
    }

    private func parse(_ values: [String: String]) throws -> WatcherConfiguration {
        try WatcherConfiguration(environment: EnvironmentReader(values))
    }

    /// The variable named by the error a configuration throws.
    private func rejected(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try parse(values)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return nil
        }
    }

    @Test func defaultsForTheLocalRun() throws {
        let configuration = try parse(["ROUTER": "haproxy"])
        #expect(configuration.port == 8083)
        #expect(
            configuration.query
                == PrometheusQuery(
                    serverURL: "http://prometheus.istio-system.svc.cluster.local:9090",
                    expression: PrometheusQuery.defaultExpression))
        #expect(configuration.pollInterval == .seconds(1))
        #expect(configuration.queryTimeout == .seconds(5))
        #expect(
            configuration.policy
                == BurstPolicy.Configuration(
                    mode: .all(high: 15, low: 10), minimumDwell: .zero, noDataGrace: .seconds(30),
                    recoveryHold: .seconds(60)))  // the default query's [1m]
        #expect(
            configuration.router
                == .haproxy(
                    HAProxyRouterConfiguration(
                        host: "127.0.0.1", port: 9999, backend: "worker", primaryServer: "primary",
                        burstServer: "burst", timeout: .seconds(10))))
        #expect(configuration.router.name == "haproxy")
        #expect(configuration.dryRun == false)
    }

    @Test func kubernetesDefaultsReadTheNamespaceFromTheAccountFolder() throws {
        try withAccount { directory in
            let configuration = try parse([
                "SERVICEACCOUNT_DIR": directory + "/", "KUBERNETES_SERVICE_HOST": "10.0.0.1", "HOSTNAME": "watcher-abc",
            ])
            guard case .kubernetes(let settings) = configuration.router else {
                Issue.record("not the kubernetes router")
                return
            }
            #expect(settings.apiServerURL == "https://10.0.0.1:443")
            #expect(settings.namespace == "hashr")
            #expect(settings.virtualService == "worker-virtual-service")
            #expect(
                settings.virtualServicePath
                    == "/apis/networking.istio.io/v1/namespaces/hashr/virtualservices/worker-virtual-service")
            #expect(settings.eventsPath == "/api/v1/namespaces/hashr/events")
            #expect(settings.tokenPath == directory + "/token")
            #expect(settings.certificateAuthorityPath == directory + "/ca.crt")
            #expect(settings.primarySubset == "primary" && settings.burstSubset == "burst")
            #expect(settings.reportingInstance == "watcher-abc")
            #expect(configuration.router.makeRouter().target == "VirtualService hashr/worker-virtual-service")
        }
    }

    @Test func kubernetesSettingsCanAllBeChanged() throws {
        try withAccount(namespace: nil) { directory in
            let configuration = try parse([
                "SERVICEACCOUNT_DIR": directory, "KUBERNETES_SERVICE_HOST": "fd00::1",
                "KUBERNETES_SERVICE_PORT": "6443",
                "NAMESPACE": "team-a", "VIRTUAL_SERVICE": "my.vs", "ISTIO_API_VERSION": "v1beta1",
                "PRIMARY_SUBSET": "main", "BURST_SUBSET": "cloud", "ROUTER_TIMEOUT": "3s",
            ])
            #expect(
                configuration.router
                    == .kubernetes(
                        KubernetesRouterConfiguration(
                            apiServerURL: "https://[fd00::1]:6443", namespace: "team-a", virtualService: "my.vs",
                            istioAPIVersion: "v1beta1", primarySubset: "main", burstSubset: "cloud",
                            serviceAccountDirectory: directory, timeout: .seconds(3))))
        }
    }

    @Test func everyOtherSettingIsRead() throws {
        let configuration = try parse([
            "ROUTER": "haproxy", "PORT": "9000", "PROMETHEUS_URL": "https://prom.example:9091/prefix/",
            "PROMETHEUS_QUERY": "sum(rate(x[1m]))", "POLL_INTERVAL": "250ms", "QUERY_TIMEOUT": "2s",
            "BURST_HIGH_RPS": "20.5", "BURST_LOW_RPS": "20.5", "MIN_DWELL": "1m", "NO_DATA_GRACE": "0s", "DRY_RUN": "1",
            "HAPROXY_ADDR": "[::1]:7000", "HAPROXY_BACKEND": "be_worker", "HAPROXY_PRIMARY_SERVER": "p1",
            "HAPROXY_BURST_SERVER": "b1",
        ])
        #expect(configuration.port == 9000)
        #expect(
            configuration.query.url
                == "https://prom.example:9091/prefix/api/v1/query?query=sum%28rate%28x%5B1m%5D%29%29")
        #expect(configuration.pollInterval == .milliseconds(250))
        #expect(configuration.queryTimeout == .seconds(2))
        #expect(
            configuration.policy
                == BurstPolicy.Configuration(
                    mode: .all(high: 20.5, low: 20.5), minimumDwell: .seconds(60), noDataGrace: .zero,
                    recoveryHold: .seconds(60)))
        #expect(configuration.dryRun)
        #expect(
            configuration.router
                == .haproxy(
                    HAProxyRouterConfiguration(
                        host: "::1", port: 7000, backend: "be_worker", primaryServer: "p1", burstServer: "b1")))
    }

    /// Which configurations open OpenSSL at start (a missing libssl then stops the start).
    @Test func onlyAnHTTPSPrometheusOrTheKubernetesAPINeedTLS() throws {
        #expect(try !parse(["ROUTER": "haproxy", "PROMETHEUS_URL": "http://127.0.0.1:9090"]).needsTLS)
        #expect(try parse(["ROUTER": "haproxy", "PROMETHEUS_URL": "HTTPS://prom:9091"]).needsTLS)
        #expect(try !parse(["ROUTER": "command", "ROUTER_COMMAND": "echo {state}", "PROMETHEUS_URL": "http://p:9090"]).needsTLS)
        try withAccount { directory in
            let kubernetes = try parse([
                "SERVICEACCOUNT_DIR": directory, "KUBERNETES_SERVICE_HOST": "10.0.0.1", "PROMETHEUS_URL": "http://p:9090",
            ])
            #expect(kubernetes.needsTLS)
        }
    }

    @Test func overflowMode() throws {
        let configuration = try parse([
            "ROUTER": "haproxy", "BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "12.5", "WEIGHT_STEP": "10",
        ])
        #expect(configuration.policy.mode == .overflow(capacity: 12.5, step: 10))
        let defaults = try parse(["ROUTER": "haproxy", "BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "8"])
        #expect(defaults.policy.mode == .overflow(capacity: 8, step: 5))
    }

    @Test func commandRouter() throws {
        let configuration = try parse([
            "ROUTER": "command", "ROUTER_COMMAND": "kubectl apply -f istio-manifests/{state}.yaml",
        ])
        guard case .command(let settings) = configuration.router else {
            Issue.record("not the command router")
            return
        }
        #expect(settings.command(forBurstWeight: 0) == "kubectl apply -f istio-manifests/natural.yaml")
        #expect(settings.command(forBurstWeight: 100) == "kubectl apply -f istio-manifests/burst.yaml")
        let overflow = try parse([
            "ROUTER": "command", "ROUTER_COMMAND": "set-weight {weight} {state}", "BURST_MODE": "overflow",
            "PRIMARY_CAPACITY_RPS": "10",
        ])
        guard case .command(let weighted) = overflow.router else { return }
        #expect(weighted.command(forBurstWeight: 35) == "set-weight 35 burst")
    }

    @Test(arguments: [
        (["PORT": "0"], "PORT"),
        (["PORT": "http"], "PORT"),
        (["PROMETHEUS_URL": "prometheus:9090"], "PROMETHEUS_URL"),
        (["PROMETHEUS_URL": "http://"], "PROMETHEUS_URL"),
        (["PROMETHEUS_URL": "http://p:9090/?x=1"], "PROMETHEUS_URL"),
        (["POLL_INTERVAL": "1"], "POLL_INTERVAL"),
        (["POLL_INTERVAL": "0s"], "POLL_INTERVAL"),
        (["POLL_INTERVAL": "-1s"], "POLL_INTERVAL"),
        (["QUERY_TIMEOUT": "fast"], "QUERY_TIMEOUT"),
        (["ROUTER_TIMEOUT": "10ms"], "ROUTER_TIMEOUT"),
        (["MIN_DWELL": "5 minutes"], "MIN_DWELL"),
        (["NO_DATA_GRACE": "30"], "NO_DATA_GRACE"),
        (["BURST_HIGH_RPS": "lots"], "BURST_HIGH_RPS"),
        (["BURST_HIGH_RPS": "-1"], "BURST_HIGH_RPS"),
        (["BURST_HIGH_RPS": "inf"], "BURST_HIGH_RPS"),
        (["BURST_LOW_RPS": "NaN"], "BURST_LOW_RPS"),
        (["BURST_LOW_RPS": "16"], "BURST_LOW_RPS"),
        (["BURST_HIGH_RPS": "5"], "BURST_LOW_RPS"),
        (["BURST_MODE": "some"], "BURST_MODE"),
        (["BURST_MODE": "overflow"], "PRIMARY_CAPACITY_RPS"),
        (["BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "0"], "PRIMARY_CAPACITY_RPS"),
        (["BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "x"], "PRIMARY_CAPACITY_RPS"),
        (["BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "10", "WEIGHT_STEP": "0"], "WEIGHT_STEP"),
        (["BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "10", "WEIGHT_STEP": "101"], "WEIGHT_STEP"),
        (["DRY_RUN": "maybe"], "DRY_RUN"),
        (["ROUTER": "istioctl"], "ROUTER"),
        (["HAPROXY_ADDR": "127.0.0.1"], "HAPROXY_ADDR"),
        (["HAPROXY_ADDR": "127.0.0.1:70000"], "HAPROXY_ADDR"),
        (["HAPROXY_ADDR": ":9999"], "HAPROXY_ADDR"),
        (["HAPROXY_BACKEND": "worker; disable server x"], "HAPROXY_BACKEND"),
        (["HAPROXY_PRIMARY_SERVER": "a/b"], "HAPROXY_PRIMARY_SERVER"),
        (["HAPROXY_BURST_SERVER": "primary"], "HAPROXY_BURST_SERVER"),
    ])
    func badValuesNameTheirVariable(values: [String: String], variable: String) {
        var environment = ["ROUTER": "haproxy"]
        environment.merge(values) { $1 }
        let error = rejected(environment)
        #expect(error?.variable == variable, "\(values) gave \(String(describing: error))")
        #expect(error?.description.hasPrefix("invalid configuration: \(variable)=") == true)
    }

    @Test(arguments: [
        (["ROUTER_COMMAND": ""], "ROUTER_COMMAND", "a value (the command to run"),
        (["ROUTER_COMMAND": "kubectl apply -f natural.yaml"], "ROUTER_COMMAND", "containing {state} or {weight}"),
        (
            ["ROUTER_COMMAND": "apply {state}", "BURST_MODE": "overflow", "PRIMARY_CAPACITY_RPS": "5"],
            "ROUTER_COMMAND", "with {weight}"
        ),
    ])
    func badCommands(values: [String: String], variable: String, fragment: String) {
        var environment = ["ROUTER": "command"]
        environment.merge(values) { $1 }
        let error = rejected(environment)
        #expect(error?.variable == variable)
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ([:], "KUBERNETES_SERVICE_HOST"),
        (["KUBERNETES_SERVICE_HOST": "a b"], "KUBERNETES_SERVICE_HOST"),
        (["KUBERNETES_SERVICE_PORT": "x"], "KUBERNETES_SERVICE_PORT"),
        (["NAMESPACE": "Team_A"], "NAMESPACE"),
        (["NAMESPACE": "a.b"], "NAMESPACE"),
        (["NAMESPACE": "-a"], "NAMESPACE"),
        (["NAMESPACE": String(repeating: "a", count: 64)], "NAMESPACE"),
        (["VIRTUAL_SERVICE": "../../secrets"], "VIRTUAL_SERVICE"),
        (["VIRTUAL_SERVICE": "Worker"], "VIRTUAL_SERVICE"),
        (["ISTIO_API_VERSION": "1"], "ISTIO_API_VERSION"),
        (["ISTIO_API_VERSION": "v1/../v2"], "ISTIO_API_VERSION"),
        (["BURST_SUBSET": "primary"], "BURST_SUBSET"),
        (["PRIMARY_SUBSET": "burst"], "BURST_SUBSET"),
    ])
    func badKubernetesValues(values: [String: String], variable: String) throws {
        try withAccount { directory in
            var environment = ["SERVICEACCOUNT_DIR": directory]
            if values["KUBERNETES_SERVICE_HOST"] == nil && !values.isEmpty {
                environment["KUBERNETES_SERVICE_HOST"] = "10.0.0.1"
            }
            environment.merge(values) { $1 }
            let error = rejected(environment)
            #expect(error?.variable == variable, "\(values) gave \(String(describing: error))")
        }
    }

    @Test func missingAccountFilesAreConfigurationErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let base = ["SERVICEACCOUNT_DIR": directory.path, "KUBERNETES_SERVICE_HOST": "10.0.0.1"]
        #expect(rejected(base)?.expected.contains("readable token") == true)
        try directory.write("token", "t")
        #expect(rejected(base)?.expected.contains("readable ca.crt") == true)
        try directory.write("ca.crt", "c")
        let noNamespace = rejected(base)
        #expect(noNamespace?.variable == "NAMESPACE")
        #expect(noNamespace?.expected.contains("\(directory.path)/namespace cannot be read") == true)
        try directory.write("namespace", "Bad Namespace")
        #expect(rejected(base)?.variable == "NAMESPACE (from \(directory.path)/namespace)")
    }

    @Test func routersAreMadeFromTheirSettings() {
        let haproxy = RouterConfiguration.haproxy(HAProxyRouterConfiguration()).makeRouter()
        #expect(haproxy.target == "HAProxy backend worker at 127.0.0.1:9999")
        let command = RouterConfiguration.command(CommandRouterConfiguration(template: "echo {state}")).makeRouter()
        #expect(command.target == "command echo {state}")
        #expect(RouterConfiguration.command(CommandRouterConfiguration(template: "x")).name == "command")
    }
}


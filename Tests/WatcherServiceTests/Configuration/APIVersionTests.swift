import Testing

@testable import WatcherService

/// ISTIO_API_VERSION's shape, checked by hand (no Regex): what it accepts and what it refuses.
@Suite struct APIVersionTests {
    @Test(arguments: ["v1", "v2", "v10", "v1beta1", "v1alpha3", "v2beta10", "v12alpha20"])
    func acceptsVersions(version: String) {
        #expect(KubernetesRouterConfiguration.isAPIVersion(version))
    }

    @Test(arguments: [
        "", "v", "1", "V1", "v0", "v01", "v1beta", "v1beta0", "v1beta01", "v1gamma1", "v1alpha1beta1", "v1 ",
        " v1", "v1/../v2", "v1Beta1", "v١", "vv1",
    ])
    func refusesOthers(version: String) {
        #expect(!KubernetesRouterConfiguration.isAPIVersion(version))
    }
}

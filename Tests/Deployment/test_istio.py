"""istio-manifests/: v1 objects whose hosts, subsets and ports agree with kubernetes/."""
import pytest

from conftest import SERVICES, VIRTUAL_SERVICE, find, load_all, pod_labels, render, selects

ISTIO_FILES = ["gateway.yaml", "frontend-virtual-service.yaml", "redis-virtual-service.yaml",
               "worker-destination-rule.yaml", "natural.yaml", "burst.yaml"]


@pytest.mark.parametrize("name", ISTIO_FILES)
def test_every_istio_object_is_networking_v1(name):
    for obj in load_all(f"istio-manifests/{name}"):
        assert obj["apiVersion"] == "networking.istio.io/v1"
        assert obj["kind"] in {"Gateway", "VirtualService", "DestinationRule"}
        assert "namespace" not in obj["metadata"]  # the kustomization sets it (kubernetes/namespace)


def test_kustomization_applies_the_natural_state_only(istio):
    """The routing objects, the security policies (test_security.py) and the shared Namespace."""
    routing = sorted((o["kind"], o["metadata"]["name"]) for o in istio if o["apiVersion"] == "networking.istio.io/v1")
    assert routing == [
        ("DestinationRule", "worker-destination-rule"), ("Gateway", "frontend-gateway"),
        ("VirtualService", "frontend-virtual-service"), ("VirtualService", "redis-virtual-service"),
        ("VirtualService", VIRTUAL_SERVICE)]
    assert {o["kind"] for o in istio} == {"DestinationRule", "Gateway", "VirtualService", "Namespace",
                                          "PeerAuthentication", "AuthorizationPolicy"}
    # The file as written, placed in the namespace: the command router applies the file itself.
    (natural,) = load_all("istio-manifests/natural.yaml")
    rendered = find(istio, "VirtualService", VIRTUAL_SERVICE)
    assert rendered["spec"] == natural["spec"]
    assert rendered["metadata"]["name"] == natural["metadata"]["name"]
    assert rendered["metadata"]["namespace"] == find(istio, "Namespace")[0]["metadata"]["name"]


def weights(vs):
    (http,) = vs["spec"]["http"]
    return {r["destination"]["subset"]: r["weight"] for r in http["route"]}


def test_natural_and_burst_differ_only_in_the_weights():
    (natural,) = load_all("istio-manifests/natural.yaml")
    (burst,) = load_all("istio-manifests/burst.yaml")
    assert weights(natural) == {"primary": 100, "burst": 0}
    assert weights(burst) == {"primary": 0, "burst": 100}
    for route in burst["spec"]["http"][0]["route"]:
        route["weight"] = 100 if route["destination"]["subset"] == "primary" else 0
    assert burst == natural
    assert [r["destination"]["subset"] for r in natural["spec"]["http"][0]["route"]] == ["primary", "burst"]


def test_subsets_select_the_right_workers_and_nothing_else(primary, burst, istio):
    rule = find(istio, "DestinationRule", "worker-destination-rule")
    assert rule["spec"]["host"] == "worker-service"
    subsets = {s["name"]: s["labels"] for s in rule["spec"]["subsets"]}
    assert set(subsets) == {"primary", "burst"}
    deployments = find(primary, "Deployment") + find(burst, "Deployment")
    for subset, expected in (("primary", "worker-primary-deployment"), ("burst", "worker-burst-deployment")):
        matched = [d["metadata"]["name"] for d in deployments if selects(subsets[subset], pod_labels(d))]
        assert matched == [expected], subset
    worker_selector = find(primary, "Service", "worker-service")["spec"]["selector"]
    for name in ("worker-primary-deployment", "worker-burst-deployment"):
        assert selects(worker_selector, pod_labels(next(d for d in deployments if d["metadata"]["name"] == name)))


def destinations(vs):
    for kind in ("http", "tcp"):
        for rule in vs["spec"].get(kind, []):
            for route in rule["route"]:
                yield route["destination"]


def test_hosts_and_ports_name_real_services(primary, istio):
    services = {s["metadata"]["name"]: s for s in find(primary, "Service")}
    for vs in find(istio, "VirtualService"):
        for host in vs["spec"]["hosts"]:
            assert host == "*" or host in services, host
        for dest in destinations(vs):
            assert dest["host"] in services
            assert dest["port"]["number"] == SERVICES[dest["host"]][0]
            assert dest["port"]["number"] in [p["port"] for p in services[dest["host"]]["spec"]["ports"]]
            if "subset" in dest:
                rule = find(istio, "DestinationRule", "worker-destination-rule")
                assert rule["spec"]["host"] == dest["host"]
                assert dest["subset"] in [s["name"] for s in rule["spec"]["subsets"]]
    for rule in find(istio, "DestinationRule"):
        assert rule["spec"]["host"] in services


def test_gateway_leads_to_the_frontend(istio):
    gateway = find(istio, "Gateway", "frontend-gateway")
    assert gateway["spec"]["selector"] == {"istio": "ingressgateway"}
    (server,) = gateway["spec"]["servers"]
    assert (server["port"]["number"], server["port"]["protocol"]) == (80, "HTTP")
    vs = find(istio, "VirtualService", "frontend-virtual-service")
    assert vs["spec"]["gateways"] == ["frontend-gateway"]
    assert [d["host"] for d in destinations(vs)] == ["frontend-service"]
    assert "timeout" not in vs["spec"]["http"][0], "a route timeout would cut the results stream"


def test_redis_is_routed_as_tcp(primary, istio):
    vs = find(istio, "VirtualService", "redis-virtual-service")
    assert "http" not in vs["spec"]
    (rule,) = vs["spec"]["tcp"]
    assert rule["match"] == [{"port": 6379}]
    (port,) = find(primary, "Service", "redis-cache-service")["spec"]["ports"]
    assert port["name"].startswith("tcp-") and port["port"] == 6379


def test_command_router_states_apply_to_the_watched_object():
    for state in ("natural", "burst"):
        (vs,) = load_all(f"istio-manifests/{state}.yaml")
        assert vs["metadata"]["name"] == VIRTUAL_SERVICE
        assert vs["spec"]["hosts"] == ["worker-service"]
        assert sum(weights(vs).values()) == 100
    assert render("istio-manifests")  # renders offline

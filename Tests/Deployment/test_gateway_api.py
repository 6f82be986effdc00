"""kubernetes/gateway-api: the Gateway API form of the demo (ROUTER=gateway-api).

Core objects are validated strictly by kubernetes-validate, as in test_kubernetes.py. It has no
schemas for CRDs, so the Gateway API objects are checked against GATEWAY_API_V1 below: the fields,
types, limits, patterns and enumerations of the gateway.networking.k8s.io/v1 Gateway and HTTPRoute,
written down from the Gateway API v1 CRDs (standard channel, v1.2 -
config/crd/standard/gateway.networking.k8s.io_gateways.yaml and _httproutes.yaml of
kubernetes-sigs/gateway-api) and its API reference (https://gateway-api.sigs.k8s.io/reference/spec/).
Only the parts these manifests can reach are written down; anything else is an unknown field and
fails, as kubectl's strict field validation would.
"""
import jsonschema
import kubernetes_validate
import pytest
import yaml

from conftest import REPO, find, load_all, pod_labels, render, selects
from test_kubernetes import K8S_VERSIONS, NAME_LABELS, NAMESPACE
from test_rbac import normalized, router_grants
from test_security import validate as validate_istio_security

PRIMARY = "kubernetes/gateway-api"
BURST = "kubernetes/gateway-api/burst"
GROUP = "gateway.networking.k8s.io"

# --- the v1 API's definitions (see the module docstring for where they come from) ---------------
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
GROUP_NAME = {"type": "string", "maxLength": 253, "pattern": r"^$|" + DNS_SUBDOMAIN}
KIND = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"}
OBJECT_NAME = {"type": "string", "minLength": 1, "maxLength": 253}
NAMESPACE_NAME = {"type": "string", "minLength": 1, "maxLength": 63,
                  "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}
SECTION_NAME = {"type": "string", "minLength": 1, "maxLength": 253, "pattern": DNS_SUBDOMAIN}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
HOSTNAME = {"type": "string", "minLength": 1, "maxLength": 253,
            "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"}
DURATION = {"type": "string", "pattern": r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"}
METADATA = {"type": "object", "required": ["name"], "properties": {
    "name": OBJECT_NAME, "namespace": NAMESPACE_NAME,
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}}},
    "additionalProperties": False}


def strict(properties, required=()):
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


PARENT_REFERENCE = strict({"group": GROUP_NAME, "kind": KIND, "namespace": NAMESPACE_NAME, "name": OBJECT_NAME,
                           "sectionName": SECTION_NAME, "port": PORT}, ["name"])
HTTP_BACKEND_REF = strict({"group": GROUP_NAME, "kind": KIND, "name": OBJECT_NAME, "namespace": NAMESPACE_NAME,
                           "port": PORT, "weight": {"type": "integer", "minimum": 0, "maximum": 1000000}},
                          ["name"])
HTTP_ROUTE_MATCH = strict({
    "path": strict({"type": {"enum": ["Exact", "PathPrefix", "RegularExpression"]},
                    "value": {"type": "string", "maxLength": 1024}}),
    "method": {"enum": ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]}})
GATEWAY_API_V1 = {
    "Gateway": strict({
        "apiVersion": {"const": f"{GROUP}/v1"}, "kind": {"const": "Gateway"}, "metadata": METADATA,
        "spec": strict({
            "gatewayClassName": OBJECT_NAME,
            "listeners": {"type": "array", "minItems": 1, "maxItems": 64, "items": strict({
                "name": SECTION_NAME, "hostname": HOSTNAME, "port": PORT,
                "protocol": {"type": "string", "minLength": 1, "maxLength": 255,
                             "pattern": r"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|" + DNS_SUBDOMAIN[1:-1]
                             + r"\/[A-Za-z0-9]+$"},
                "allowedRoutes": strict({
                    "namespaces": strict({"from": {"enum": ["All", "Selector", "Same"]}}),
                    "kinds": {"type": "array", "maxItems": 8,
                              "items": strict({"group": GROUP_NAME, "kind": KIND}, ["kind"])}}),
            }, ["name", "port", "protocol"])}}, ["gatewayClassName", "listeners"])},
        ["apiVersion", "kind", "metadata", "spec"]),
    "HTTPRoute": strict({
        "apiVersion": {"const": f"{GROUP}/v1"}, "kind": {"const": "HTTPRoute"}, "metadata": METADATA,
        "spec": strict({
            "parentRefs": {"type": "array", "maxItems": 32, "items": PARENT_REFERENCE},
            "hostnames": {"type": "array", "maxItems": 16, "items": HOSTNAME},
            "rules": {"type": "array", "maxItems": 16, "items": strict({
                "matches": {"type": "array", "maxItems": 64, "items": HTTP_ROUTE_MATCH},
                "backendRefs": {"type": "array", "maxItems": 16, "items": HTTP_BACKEND_REF},
                "timeouts": strict({"request": DURATION, "backendRequest": DURATION})})}})},
        ["apiVersion", "kind", "metadata", "spec"]),
}


def validate_gateway_api(obj):
    jsonschema.validate(obj, GATEWAY_API_V1[obj["kind"]])
    # The CRDs' CEL rule on every backendRef: "Must have port for Service reference".
    for rule in obj["spec"].get("rules", []):
        for ref in rule.get("backendRefs", []):
            if ref.get("group", "") == "" and ref.get("kind", "Service") == "Service":
                assert "port" in ref, ref


def is_gateway_api(obj):
    return obj["apiVersion"].split("/")[0] == GROUP


def is_core(obj):
    """What kubernetes-validate has schemas for: not the Gateway API's or Istio's CRDs."""
    return not is_gateway_api(obj) and obj["apiVersion"].split("/")[0] != "security.istio.io"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("cluster", [PRIMARY, BURST])
def test_core_objects_pass_strict_schema_validation(cluster, version):
    for obj in render(cluster):
        if is_core(obj):
            kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("source", ["render", "natural.yaml", "burst.yaml"])
def test_gateway_api_objects_match_the_v1_definitions(source):
    objects = render(PRIMARY) if source == "render" else load_all(f"{PRIMARY}/{source}")
    checked = [o for o in objects if is_gateway_api(o)]
    assert {(o["kind"], o["metadata"]["name"]) for o in checked} >= {("HTTPRoute", "worker-route")}
    for obj in checked:
        validate_gateway_api(obj)


def test_the_definitions_really_reject_wrong_fields():
    route = find(render(PRIMARY), "HTTPRoute", "worker-route")
    for broken in (
        {**route, "spec": {**route["spec"], "rule": []}},  # unknown field
        {**route, "apiVersion": f"{GROUP}/v1beta1"},
        {**route, "spec": {**route["spec"], "rules": [{"backendRefs": [{"name": "worker-burst", "port": 80,
                                                                         "weight": 1000001}]}]}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_gateway_api(broken)
    with pytest.raises(AssertionError):
        validate_gateway_api({**route, "spec": {**route["spec"], "rules": [{"backendRefs": [{"name": "x"}]}]}})


def test_the_primary_is_kubernetes_primary_plus_the_gateway_api_objects():
    primary = {(o["kind"], o["metadata"]["name"]) for o in render("kubernetes/primary") if o["kind"] != "ConfigMap"}
    gateway = {(o["kind"], o["metadata"]["name"]) for o in render(PRIMARY) if o["kind"] != "ConfigMap"}
    assert gateway - primary == {("Gateway", "frontend-gateway"), ("HTTPRoute", "frontend-route"),
                                 ("HTTPRoute", "worker-route"), ("Service", "worker-primary"),
                                 ("Service", "worker-burst"), ("AuthorizationPolicy", "frontend-gateway"),
                                 ("NetworkPolicy", "frontend-gateway")}
    assert primary <= gateway
    burst = {(o["kind"], o["metadata"]["name"]) for o in render("kubernetes/burst")}
    assert {(o["kind"], o["metadata"]["name"]) for o in render(BURST)} - burst == {
        ("Service", "worker-primary"), ("Service", "worker-burst")}


def watcher_settings(objects):
    deployment = find(objects, "Deployment", "istiowatcher-deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return find(objects, "ConfigMap", container["envFrom"][0]["configMapRef"]["name"])["data"]


def test_the_watcher_edits_the_worker_route_between_the_two_backend_services():
    objects = render(PRIMARY)
    settings = watcher_settings(objects)
    assert settings["ROUTER"] == "gateway-api"
    assert "VIRTUAL_SERVICE" not in settings
    route = find(objects, "HTTPRoute", settings["HTTPROUTE"])
    # GAMMA: attached to the worker Service itself, which is what the frontend calls.
    assert route["spec"]["parentRefs"] == [{"group": "", "kind": "Service", "name": "worker-service", "port": 80}]
    assert find(objects, "Service", "worker-service")
    (rule,) = route["spec"]["rules"]
    refs = {ref["name"]: ref for ref in rule["backendRefs"]}
    assert set(refs) == {settings["PRIMARY_BACKEND"], settings["BURST_BACKEND"]}
    assert refs[settings["PRIMARY_BACKEND"]]["weight"] == 100 and refs[settings["BURST_BACKEND"]]["weight"] == 0


@pytest.mark.parametrize("cluster, service, cluster_type", [
    (PRIMARY, "worker-primary", "primary-cluster"), (BURST, "worker-burst", "burst-cluster")])
def test_each_backend_service_selects_its_clusters_workers(cluster, service, cluster_type):
    objects = render(cluster)
    for name in ("worker-primary", "worker-burst"):  # the same Service in both clusters
        assert find(objects, "Service", name)["spec"] == find(render(PRIMARY), "Service", name)["spec"]
    svc = find(objects, "Service", service)
    (port,) = svc["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (80, "http")
    selected = [d for d in find(objects, "Deployment") if selects(svc["spec"]["selector"], pod_labels(d))]
    assert [pod_labels(d)["cluster-type"] for d in selected] == [cluster_type]


def test_the_frontend_enters_through_an_istio_gateway():
    objects = render(PRIMARY)
    gateway = find(objects, "Gateway", "frontend-gateway")
    assert gateway["spec"]["gatewayClassName"] == "istio"
    (listener,) = gateway["spec"]["listeners"]
    assert (listener["protocol"], listener["port"]) == ("HTTP", 80)
    route = find(objects, "HTTPRoute", "frontend-route")
    (parent,) = route["spec"]["parentRefs"]
    assert (parent["kind"], parent["name"], parent["sectionName"]) == ("Gateway", "frontend-gateway", "http")
    (rule,) = route["spec"]["rules"]
    (backend,) = rule["backendRefs"]
    assert "timeouts" not in rule  # the results stream stays open
    frontend = find(objects, "Service", backend["name"])
    assert backend["port"] == frontend["spec"]["ports"][0]["port"]


def test_the_frontend_admits_the_gateway_istio_deploys_for_it():
    """Istio runs a Gateway API Gateway as <name>-istio in the Gateway's namespace, with a ServiceAccount
    of that name, and labels its pods gateway.networking.k8s.io/gateway-name: <name>."""
    objects = render(PRIMARY)
    policy = find(objects, "AuthorizationPolicy", "frontend-gateway")
    validate_istio_security(policy)
    assert policy["spec"]["selector"]["matchLabels"] == {"app": "frontend"}
    (rule,) = policy["spec"]["rules"]
    assert rule["from"] == [{"source": {"principals": [f"cluster.local/ns/{NAMESPACE}/sa/frontend-gateway-istio"]}}]
    assert rule["to"] == [{"operation": {"ports": ["8080"]}}]
    network = find(objects, "NetworkPolicy", "frontend-gateway")
    (ingress,) = network["spec"]["ingress"]
    assert ingress == {"from": [{"podSelector": {"matchLabels": {
        "gateway.networking.k8s.io/gateway-name": "frontend-gateway"}}}], "ports": [{"port": 8080}]}
    assert selects(network["spec"]["podSelector"]["matchLabels"],
                   pod_labels(find(objects, "Deployment", "frontend-deployment")))


def test_natural_and_burst_differ_only_in_the_two_weights():
    (natural,) = load_all(f"{PRIMARY}/natural.yaml")
    (burst,) = load_all(f"{PRIMARY}/burst.yaml")
    weights = [[ref["weight"] for ref in doc["spec"]["rules"][0]["backendRefs"]] for doc in (natural, burst)]
    assert weights == [[100, 0], [0, 100]]
    for doc in (natural, burst):
        for ref in doc["spec"]["rules"][0]["backendRefs"]:
            del ref["weight"]
    assert natural == burst
    listed = yaml.safe_load((REPO / PRIMARY / "kustomization.yaml").read_text())["resources"]
    assert "natural.yaml" in listed and "burst.yaml" not in listed


def test_the_role_grants_exactly_what_the_gateway_api_router_calls():
    objects = render(PRIMARY)
    role = find(objects, "Role", "istiowatcher")
    assert normalized(role["rules"]) == normalized([
        {"apiGroups": [GROUP], "resources": ["httproutes"], "resourceNames": ["worker-route"],
         "verbs": ["get", "patch"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}])
    granted = {(group, resource, "named" if rule.get("resourceNames") else "any", verb)
               for rule in role["rules"] for group in rule["apiGroups"] for resource in rule["resources"]
               for verb in rule["verbs"]}
    assert granted == router_grants("httpRoutePath")
    assert role["rules"][0]["resourceNames"] == [watcher_settings(objects)["HTTPROUTE"]]


@pytest.mark.parametrize("cluster", [PRIMARY, BURST])
def test_every_object_is_in_the_namespace_and_labelled(cluster):
    for obj in render(cluster):
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == NAMESPACE, (obj["kind"], obj["metadata"]["name"])
        labels = obj["metadata"]["labels"]
        assert set(NAME_LABELS) <= set(labels), (obj["kind"], obj["metadata"]["name"])
        assert labels["app.kubernetes.io/part-of"] == "string-hashr"

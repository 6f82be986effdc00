"""istio-manifests/security.yaml and the NetworkPolicies: who may talk to whom, exactly.

The Istio objects are checked against the fields Istio's security.istio.io/v1 API defines. Those
field sets are written down here from Istio's API reference (istio/api, security/v1beta1/
authorization_policy.proto and peer_authentication.proto, served unchanged as security.istio.io/v1
since Istio 1.22; type/v1beta1/selector.proto for the selectors). An unknown field is not an error
for the API server (Istio's CRDs preserve unknown fields) but is silently ignored by istiod, which
for an ALLOW rule means a policy that does not say what it seems to."""
import copy

import pytest

from conftest import PORTS, find, pod_labels, selects

WORKLOAD_SELECTOR = {"matchLabels"}
POLICY_TARGET_REF = {"group", "kind", "name", "namespace"}
AUTHORIZATION_POLICY_SPEC = {"selector", "targetRef", "targetRefs", "rules", "action", "provider"}
ACTIONS = {"ALLOW", "DENY", "AUDIT", "CUSTOM"}
RULE = {"from", "to", "when"}
RULE_FROM = {"source"}
RULE_TO = {"operation"}
SOURCE = {"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces",
          "notNamespaces", "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
          "serviceAccounts", "notServiceAccounts"}
OPERATION = {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"}
HTTP_ONLY_OPERATION = {"hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"}
CONDITION = {"key", "values", "notValues"}
PEER_AUTHENTICATION_SPEC = {"selector", "mtls", "portLevelMtls"}
MUTUAL_TLS = {"mode"}
MTLS_MODES = {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"}
METADATA = {"name", "namespace", "labels", "annotations"}

NAMESPACE = "string-hashr"
TRUST_DOMAIN = "cluster.local"
INGRESS = f"{TRUST_DOMAIN}/ns/istio-system/sa/istio-ingressgateway-service-account"
PROMETHEUS = f"{TRUST_DOMAIN}/ns/istio-system/sa/prometheus"


def identity(account):
    return f"{TRUST_DOMAIN}/ns/{NAMESPACE}/sa/{account}"


def security(istio):
    return [o for o in istio if o["apiVersion"].startswith("security.istio.io")]


def fields_of(obj, allowed, where):
    assert isinstance(obj, dict), where
    unknown = set(obj) - allowed
    assert not unknown, f"{where}: {sorted(unknown)} not in the security.istio.io/v1 API"


def all_strings(value, where):
    assert isinstance(value, list) and value and all(isinstance(v, str) for v in value), where


def validate(obj):
    """Raises AssertionError on anything security.istio.io/v1 does not define."""
    name = f'{obj["kind"]} {obj["metadata"]["name"]}'
    assert obj["apiVersion"] == "security.istio.io/v1", name
    fields_of(obj, {"apiVersion", "kind", "metadata", "spec"}, name)
    fields_of(obj["metadata"], METADATA, f"{name} metadata")
    spec = obj["spec"]
    if "selector" in spec:
        fields_of(spec["selector"], WORKLOAD_SELECTOR, f"{name} selector")
    if obj["kind"] == "PeerAuthentication":
        fields_of(spec, PEER_AUTHENTICATION_SPEC, name)
        fields_of(spec["mtls"], MUTUAL_TLS, f"{name} mtls")
        assert spec["mtls"]["mode"] in MTLS_MODES
        return
    assert obj["kind"] == "AuthorizationPolicy", name
    fields_of(spec, AUTHORIZATION_POLICY_SPEC, name)
    assert spec.get("action", "ALLOW") in ACTIONS
    for i, rule in enumerate(spec.get("rules", [])):
        fields_of(rule, RULE, f"{name} rule {i}")
        for f in rule.get("from", []):
            fields_of(f, RULE_FROM, f"{name} rule {i} from")
            fields_of(f["source"], SOURCE, f"{name} rule {i} source")
            for value in f["source"].values():
                all_strings(value, f"{name} rule {i} source")
        for t in rule.get("to", []):
            fields_of(t, RULE_TO, f"{name} rule {i} to")
            fields_of(t["operation"], OPERATION, f"{name} rule {i} operation")
            for value in t["operation"].values():
                all_strings(value, f"{name} rule {i} operation")
        for c in rule.get("when", []):
            fields_of(c, CONDITION, f"{name} rule {i} when")


def test_every_security_object_has_only_fields_of_the_v1_api(istio):
    objects = security(istio)
    assert {o["kind"] for o in objects} == {"PeerAuthentication", "AuthorizationPolicy"}
    for obj in objects:
        validate(obj)


@pytest.mark.parametrize("breakage", [
    lambda p: p["spec"]["rules"][0]["from"][0]["source"].update(principal=["x"]),  # singular: a typo
    lambda p: p["spec"]["rules"][0]["to"][0]["operation"].update(port=["8081"]),
    lambda p: p["spec"].update(rule=[]),
    lambda p: p["spec"]["rules"][0]["to"][0]["operation"].update(ports=8081),  # not a list of strings
    lambda p: p["spec"].update(action="PERMIT"),
])
def test_the_field_check_rejects_what_istio_would_ignore(istio, breakage):
    broken = copy.deepcopy(find(istio, "AuthorizationPolicy", "worker"))
    breakage(broken)
    with pytest.raises(AssertionError):
        validate(broken)


def test_mutual_tls_is_strict_for_the_whole_namespace(istio):
    (peer,) = find(istio, "PeerAuthentication")
    assert peer["metadata"]["name"] == "default" and "selector" not in peer["spec"]
    assert peer["spec"] == {"mtls": {"mode": "STRICT"}}
    assert peer["metadata"]["namespace"] == NAMESPACE


def test_everything_not_allowed_is_denied(istio):
    """An ALLOW policy with no rules, for the whole namespace: then each workload gets only what a
    policy below allows. No DENY or CUSTOM policy could open anything further, and there is none."""
    deny = find(istio, "AuthorizationPolicy", "allow-nothing")
    assert deny["spec"] == {}
    for policy in find(istio, "AuthorizationPolicy"):
        assert policy["spec"].get("action", "ALLOW") == "ALLOW"
        assert policy["metadata"]["namespace"] == NAMESPACE


def allowed(istio):
    """(workload app label, principal, port, methods or None, paths or None) for every rule."""
    out = set()
    for policy in find(istio, "AuthorizationPolicy"):
        if not policy["spec"]:
            continue
        (app,) = policy["spec"]["selector"]["matchLabels"].values()
        for rule in policy["spec"]["rules"]:
            assert set(rule) == {"from", "to"}, "every rule names who and what"
            for f in rule["from"]:
                assert set(f["source"]) == {"principals"}, "identities only: addresses can be forged"
                for principal in f["source"]["principals"]:
                    for t in rule["to"]:
                        op = t["operation"]
                        for port in op["ports"]:
                            methods = tuple(op["methods"]) if "methods" in op else None
                            paths = tuple(op["paths"]) if "paths" in op else None
                            out.add((app, principal, int(port), methods, paths))
    return out


def test_policies_allow_exactly_the_demo_and_nothing_else(istio):
    metrics = {(app, PROMETHEUS, PORTS[app], ("GET",), ("/metrics",))
               for app in ("frontend", "worker", "istiowatcher")}
    assert allowed(istio) == metrics | {
        ("frontend", INGRESS, PORTS["frontend"], None, None),
        ("worker", identity("frontend"), PORTS["worker"], ("POST",), ("/",)),
        ("redis", identity("worker"), PORTS["redis"], None, None),
        ("redis", identity("frontend"), PORTS["redis"], None, None),
    }


def test_tcp_rules_carry_no_http_fields(istio):
    """Istio ignores an ALLOW rule with HTTP fields on plain TCP: Redis would be shut to everyone."""
    for rule in find(istio, "AuthorizationPolicy", "redis")["spec"]["rules"]:
        for t in rule["to"]:
            assert not set(t["operation"]) & HTTP_ONLY_OPERATION


def test_policies_select_real_workloads_by_their_accounts(primary, burst, istio):
    deployments = find(primary, "Deployment") + find(burst, "Deployment")
    for policy in find(istio, "AuthorizationPolicy"):
        if "selector" in policy["spec"]:
            matched = [d for d in deployments if selects(policy["spec"]["selector"]["matchLabels"], pod_labels(d))]
            assert matched, policy["metadata"]["name"]
    accounts = {d["spec"]["template"]["spec"]["serviceAccountName"] for d in deployments}
    for _, principal, *_ in allowed(istio):
        if f"/ns/{NAMESPACE}/" in principal:
            assert principal.rsplit("/", 1)[1] in accounts, principal
    # the worker identity is the same name in both clusters, so one rule covers both
    workers = [d for d in deployments if pod_labels(d)["app"] == "worker"]
    assert {d["spec"]["template"]["spec"]["serviceAccountName"] for d in workers} == {"worker"}


# --- NetworkPolicies: the same, where the mesh does not enforce ---------------------------------

ISTIO_SYSTEM = {"kubernetes.io/metadata.name": "istio-system"}


def peers(policy):
    """(who, port) pairs: who is an app label in this namespace, or 'istio-system:<label=value>'."""
    out = set()
    for rule in policy["spec"]["ingress"]:
        for peer in rule["from"]:
            if "namespaceSelector" in peer:
                assert peer["namespaceSelector"]["matchLabels"] == ISTIO_SYSTEM
                ((k, v),) = peer["podSelector"]["matchLabels"].items()
                who = f"istio-system:{k}={v}"
            else:
                who = peer["podSelector"]["matchLabels"]["app"]
            for port in rule["ports"]:
                out.add((who, port["port"]))
    return out


GATEWAY = "istio-system:istio=ingressgateway"
EASTWEST = "istio-system:istio=eastwestgateway"
SCRAPER = "istio-system:app.kubernetes.io/name=prometheus"


def test_a_network_policy_per_workload(primary, burst):
    for objects in (primary, burst):
        apps = {pod_labels(d)["app"] for d in find(objects, "Deployment")}
        policies = {p["spec"]["podSelector"]["matchLabels"]["app"] for p in find(objects, "NetworkPolicy")}
        assert apps <= policies
        for p in find(objects, "NetworkPolicy"):
            assert p["spec"]["policyTypes"] == ["Ingress"]


def test_network_policies_allow_what_the_mesh_allows(primary, burst):
    by_app = {p["spec"]["podSelector"]["matchLabels"]["app"]: peers(p) for p in find(primary, "NetworkPolicy")}
    assert by_app == {
        "frontend": {(GATEWAY, 8080), (SCRAPER, 8080), (SCRAPER, 15020)},
        "worker": {("frontend", 8081), (EASTWEST, 8081), (SCRAPER, 8081), (SCRAPER, 15020)},
        "redis": {("worker", 6379), ("frontend", 6379), (EASTWEST, 6379), (SCRAPER, 15020)},
        "istiowatcher": {(SCRAPER, 8083), (SCRAPER, 15020)},
    }
    (burst_worker,) = find(burst, "NetworkPolicy")
    assert peers(burst_worker) == by_app["worker"], "the same object in both clusters"

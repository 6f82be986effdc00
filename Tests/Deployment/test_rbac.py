"""The watcher's RBAC: exactly what its kubernetes router does, nothing more."""
import re

import pytest

from conftest import REPO, VIRTUAL_SERVICE, containers, find, render

EXPECTED_RULES = [
    {"apiGroups": ["networking.istio.io"], "resources": ["virtualservices"],
     "resourceNames": [VIRTUAL_SERVICE], "verbs": ["get", "patch"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]},
]


def normalized(rules):
    return sorted(({k: sorted(v) for k, v in r.items()} for r in rules), key=repr)


def test_role_grants_exactly_get_patch_on_the_virtual_service_and_create_events(primary):
    role = find(primary, "Role", "istiowatcher")
    assert normalized(role["rules"]) == normalized(EXPECTED_RULES)


def test_no_cluster_wide_or_other_grants():
    for cluster in ("kubernetes/primary", "kubernetes/burst", "istio-manifests"):
        kinds = [o["kind"] for o in render(cluster)]
        assert "ClusterRole" not in kinds and "ClusterRoleBinding" not in kinds
        assert kinds.count("Role") <= 1 and kinds.count("RoleBinding") <= 1


def test_binding_ties_the_role_to_the_watchers_own_account(primary):
    binding = find(primary, "RoleBinding", "istiowatcher")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "istiowatcher"}
    # The subject names its namespace, moved with everything else by kubernetes/namespace.
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "istiowatcher", "namespace": binding["metadata"]["namespace"]}]
    users = [d["metadata"]["name"] for d in find(primary, "Deployment")
             if d["spec"]["template"]["spec"].get("serviceAccountName") == "istiowatcher"]
    assert users == ["istiowatcher-deployment"]


def test_the_granted_name_is_the_one_the_watcher_edits(primary, istio):
    (c,) = containers(find(primary, "Deployment", "istiowatcher-deployment"))
    cm = find(primary, "ConfigMap", c["envFrom"][0]["configMapRef"]["name"])
    assert cm["data"]["VIRTUAL_SERVICE"] == VIRTUAL_SERVICE
    assert find(istio, "VirtualService", VIRTUAL_SERVICE)


VERBS = {"GET": "get", "PUT": "update", "POST": "create", "PATCH": "patch", "DELETE": "delete"}


def router_grants(route_path="virtualServicePath"):
    """What the kubernetes router needs, read from its Swift sources: each
    `client.send("METHOD", configuration.somePath ...)` call, with somePath's
    URL template from the configuration, becomes one (group, resource, name, verb).
    `routePath` is the VirtualService's path (ROUTER=kubernetes) or the HTTPRoute's
    (ROUTER=gateway-api): `route_path` says which."""
    sources = "\n".join(p.read_text() for p in (REPO / "Sources" / "WatcherService").rglob("*.swift"))
    templates = dict(re.findall(r'var (\w+Path): String \{\s*"([^"]+)"', sources))
    templates["routePath"] = templates[route_path]
    calls = re.findall(r'\.send\(\s*"([A-Z]+)",\s*configuration\.(\w+)', sources)
    grants = set()
    for method, path in calls:
        m = re.fullmatch(r"/apis?/(?:([a-z0-9.-]+)/)?[^/]+/namespaces/[^/]+/([a-z]+)(/.+)?", templates[path])
        group, resource, name = m.group(1) or "", m.group(2), m.group(3)
        grants.add((group, resource, "named" if name else "any", VERBS[method]))
    return grants


def test_the_role_grants_exactly_what_the_router_calls(primary):
    needed = router_grants()
    if not needed:
        pytest.skip("the kubernetes router is not in Sources/WatcherService yet")
    granted = set()
    for rule in find(primary, "Role", "istiowatcher")["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    granted.add((group, resource, "named" if rule.get("resourceNames") else "any", verb))
    assert needed == granted

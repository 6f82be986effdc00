"""The namespace is written once (kubernetes/namespace) and everything follows it: every object of
both clusters and of istio-manifests, the watcher's query, the RoleBinding and the mesh identities."""
import re
import shutil

import pytest
import yaml

from conftest import REPO, find, need, run

OLD, NEW = "string-hashr", "hashr-elsewhere"
RENDERED = ["kubernetes/primary", "kubernetes/burst", "kubernetes/overflow", "istio-manifests",
            "kubernetes/gateway-api", "kubernetes/gateway-api/burst"]
SETTING = "kubernetes/namespace/kustomization.yaml"


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """Every kustomization rendered after changing the one line a user changes."""
    root = tmp_path_factory.mktemp("moved")
    for directory in ("kubernetes", "istio-manifests"):
        shutil.copytree(REPO / directory, root / directory)
    setting = root / SETTING
    text, count = re.subn(rf"^namespace: {OLD}$", f"namespace: {NEW}", setting.read_text(), flags=re.M)
    assert count == 1, "one namespace setting"
    setting.write_text(text)
    return {d: [o for o in yaml.safe_load_all(run(need("kubectl"), "kustomize", str(root / d)).stdout) if o]
            for d in RENDERED}


def test_the_namespace_is_written_in_one_place():
    written = [p.relative_to(REPO).as_posix() for d in ("kubernetes", "istio-manifests")
               for p in (REPO / d).rglob("*.yaml") if re.search(rf"^namespace: {OLD}$", p.read_text(), re.M)]
    assert written == [SETTING]


@pytest.mark.parametrize("directory", RENDERED)
def test_every_object_moves(moved, directory):
    for obj in moved[directory]:
        if obj["kind"] == "Namespace":
            assert obj["metadata"]["name"] == NEW
            assert obj["metadata"]["labels"]["istio-injection"] == "enabled"
        else:
            assert obj["metadata"]["namespace"] == NEW, (obj["kind"], obj["metadata"]["name"])


def test_the_watchers_query_moves(moved):
    for directory in ("kubernetes/primary", "kubernetes/overflow"):
        (cm,) = [c for c in find(moved[directory], "ConfigMap") if c["metadata"]["name"].startswith("istiowatcher")]
        query = cm["data"]["PROMETHEUS_QUERY"]
        assert f'destination_service="worker-service.{NEW}.svc.cluster.local"' in query
        assert query.startswith("sum(rate(istio_requests_total{") and query.endswith(
            "by (source_workload, source_app, destination_service)"), "only the namespace changed"


def test_the_rbac_moves(moved):
    binding = find(moved["kubernetes/primary"], "RoleBinding", "istiowatcher")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "istiowatcher", "namespace": NEW}]


def test_the_mesh_identities_move_and_istio_systems_stay(moved):
    principals = {p for policy in find(moved["istio-manifests"], "AuthorizationPolicy")
                  for rule in policy["spec"].get("rules", []) for f in rule["from"]
                  for p in f["source"]["principals"]}
    assert principals == {
        f"cluster.local/ns/{NEW}/sa/frontend", f"cluster.local/ns/{NEW}/sa/worker",
        "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account",
        "cluster.local/ns/istio-system/sa/prometheus"}
    policy = find(moved["kubernetes/gateway-api"], "AuthorizationPolicy", "frontend-gateway")
    assert policy["spec"]["rules"][0]["from"][0]["source"]["principals"] == [
        f"cluster.local/ns/{NEW}/sa/frontend-gateway-istio"]


def strings(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, path + (k,))
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, path)
    elif isinstance(value, str):
        yield path, value


@pytest.mark.parametrize("directory", RENDERED)
def test_the_old_namespace_is_left_nowhere(moved, directory):
    """The product's name is also string-hashr (images, part-of and the Namespace's name label):
    those stay; any other mention of the old name would be a namespace left behind."""
    for obj in moved[directory]:
        for path, value in strings(obj):
            if path[-1:] in (("app.kubernetes.io/part-of",), ("app.kubernetes.io/name",)) and value == OLD:
                continue
            value = value.replace(f"/{OLD}/", "/")  # image paths: REGISTRY/string-hashr/worker
            assert OLD not in value, (obj["kind"], obj["metadata"]["name"], path, value)

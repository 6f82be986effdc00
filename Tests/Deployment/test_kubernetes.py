"""kubernetes/: both clusters render, validate strictly, and keep the contracts."""
import re

import kubernetes_validate
import pytest

from conftest import PORTS, REPO, SERVICES, containers, find, pod_labels, render, selects

CLUSTERS = ["kubernetes/primary", "kubernetes/burst"]
# preStop's sleep action needs 1.30; also check against the newest schema known.
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def names(objects, kind):
    return {o["metadata"]["name"] for o in find(objects, kind)}


def test_primary_has_everything_but_the_burst_worker(primary):
    assert names(primary, "Deployment") == {
        "frontend-deployment", "worker-primary-deployment", "redis-deployment", "istiowatcher-deployment"}
    assert names(primary, "Service") == set(SERVICES)
    assert names(primary, "ServiceAccount") == names(primary, "Role") == names(primary, "RoleBinding") == {
        "istiowatcher"}
    assert [n for n in names(primary, "ConfigMap") if n.startswith("istiowatcher-config")]


def test_burst_has_the_burst_worker_and_the_shared_services(burst):
    assert names(burst, "Deployment") == {"worker-burst-deployment"}
    assert names(burst, "Service") == {"worker-service", "redis-cache-service"}
    assert {o["kind"] for o in burst} == {"Deployment", "Service"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("cluster", CLUSTERS)
def test_objects_pass_strict_schema_validation(cluster, version):
    for obj in render(cluster):
        kubernetes_validate.validate(obj, version, strict=True)


def test_strict_validation_really_rejects_unknown_fields(primary):
    broken = find(primary, "Deployment", "frontend-deployment")
    broken = {**broken, "spec": {**broken["spec"], "replica": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)


def all_deployments():
    return [d for c in CLUSTERS for d in find(render(c), "Deployment")]


@pytest.mark.parametrize("deployment", all_deployments(), ids=lambda d: d["metadata"]["name"])
def test_deployment_is_hardened_and_sized(deployment):
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["apiVersion"] == "apps/v1"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for c in pod["containers"]:
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"] == {"drop": ["ALL"]}
        for bound in ("requests", "limits"):
            assert set(c["resources"][bound]) == {"cpu", "memory"}, (c["name"], bound)
        assert c["readinessProbe"] and c["livenessProbe"]
        # 10 s graceful shutdown after the preStop pause, with room to spare.
        pause = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        assert pod["terminationGracePeriodSeconds"] >= pause + 10 + 2


def test_only_the_watcher_gets_an_api_token():
    for d in all_deployments():
        pod = d["spec"]["template"]["spec"]
        if d["metadata"]["name"] == "istiowatcher-deployment":
            assert pod["serviceAccountName"] == "istiowatcher"
        else:
            assert pod["automountServiceAccountToken"] is False
            assert "serviceAccountName" not in pod


def port_named(container, name):
    return next(p["containerPort"] for p in container["ports"] if p["name"] == name)


@pytest.mark.parametrize("name,app", [
    ("frontend-deployment", "frontend"), ("worker-primary-deployment", "worker"),
    ("worker-burst-deployment", "worker"), ("istiowatcher-deployment", "istiowatcher")])
def test_swift_services_listen_where_the_contract_says(name, app):
    d = next(d for d in all_deployments() if d["metadata"]["name"] == name)
    (c,) = containers(d)
    env = {e["name"]: e["value"] for e in c.get("env", [])}
    assert port_named(c, "http") == PORTS[app] == int(env["PORT"])
    annotations = d["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(PORTS[app])
    assert annotations["prometheus.io/path"] == "/metrics"
    ready = c["readinessProbe"]["httpGet"]
    assert (ready["path"], ready["port"]) == ("/_healthz", "http")
    if app != "istiowatcher":  # the watcher's liveness must not depend on Prometheus
        live = c["livenessProbe"]["httpGet"]
        assert (live["path"], live["port"]) == ("/", "http")


def test_service_environment(primary, burst):
    def env(objects, name):
        (c,) = containers(find(objects, "Deployment", name))
        return {e["name"]: e["value"] for e in c.get("env", [])}

    frontend = env(primary, "frontend-deployment")
    assert frontend["PROCESSOR_URL"] == "http://worker-service"
    assert frontend["REDIS_URL"] == "redis-cache-service:6379"
    assert env(primary, "worker-primary-deployment") == {"PORT": "8081", "REDIS_URL": "redis-cache-service:6379"}
    assert env(burst, "worker-burst-deployment") == {
        "PORT": "8081", "REDIS_URL": "redis-cache-service:6379", "PREFIX": "bursty-"}


def test_workers_carry_their_cluster_type(primary, burst):
    assert pod_labels(find(primary, "Deployment", "worker-primary-deployment"))["cluster-type"] == "primary-cluster"
    assert pod_labels(find(burst, "Deployment", "worker-burst-deployment"))["cluster-type"] == "burst-cluster"


def test_deployment_selectors_match_their_pods():
    for d in all_deployments():
        assert selects(d["spec"]["selector"]["matchLabels"], pod_labels(d))


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_services_match_contract_and_reach_named_container_ports(cluster):
    objects = render(cluster)
    for svc in find(objects, "Service"):
        port, app, container_port = SERVICES[svc["metadata"]["name"]]
        (sp,) = svc["spec"]["ports"]
        assert sp["port"] == port
        assert sp["name"] == ("tcp-redis" if app == "redis" else "http")  # Istio protocol selection
        assert svc["spec"]["selector"] == {"app": app}
        for d in find(objects, "Deployment"):
            if selects(svc["spec"]["selector"], pod_labels(d)):
                (c,) = containers(d)
                assert port_named(c, sp["targetPort"]) == container_port


def test_redis_keeps_only_data_writable(primary):
    d = find(primary, "Deployment", "redis-deployment")
    (c,) = containers(d)
    assert c["image"].startswith("redis:7")
    assert port_named(c, "tcp-redis") == PORTS["redis"]
    assert c["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert d["spec"]["template"]["spec"]["volumes"][0]["emptyDir"]


def test_images_and_tags_are_set_in_one_place():
    images = {c["image"] for d in all_deployments() for c in containers(d)}
    ours = {i for i in images if i.startswith("string-hashr/")}
    assert {i.split(":")[0] for i in ours} == {
        "string-hashr/frontend", "string-hashr/worker", "string-hashr/istiowatcher"}
    assert all(re.fullmatch(r"[^:]+:[\w.-]+", i) for i in images), images
    assert len({i.split(":")[1] for i in ours}) == 1, "one release tag for the three services"
    declaring = [p.relative_to(REPO).as_posix() for p in (REPO / "kubernetes").rglob("*.yaml")
                 if re.search(r"^images:", p.read_text(), re.M)]
    assert declaring == ["kubernetes/common/kustomization.yaml"]
    for p in (REPO / "kubernetes").rglob("*.yaml"):
        assert not re.search(r"image: \S+:", p.read_text()), f"{p}: tag belongs in kubernetes/common"


def test_objects_leave_the_namespace_to_kubectl():
    for cluster in CLUSTERS:
        for obj in render(cluster):
            assert "namespace" not in obj["metadata"], obj["metadata"]["name"]


def test_watcher_settings_come_from_its_configmap(primary):
    d = find(primary, "Deployment", "istiowatcher-deployment")
    (c,) = containers(d)
    (ref,) = c["envFrom"]
    cm = find(primary, "ConfigMap", ref["configMapRef"]["name"])
    data = cm["data"]
    assert data["ROUTER"] == "kubernetes"
    assert data["VIRTUAL_SERVICE"] == "worker-virtual-service"
    assert data["PROMETHEUS_URL"] == "http://prometheus.istio-system.svc.cluster.local:9090"
    assert (data["POLL_INTERVAL"], data["BURST_HIGH_RPS"], data["BURST_LOW_RPS"]) == ("1s", "15", "10")
    query = data["PROMETHEUS_QUERY"]
    assert query.startswith("sum(rate(istio_requests_total{") and "[1m]))" in query
    assert 'reporter="source"' in query  # the frontend's sidecar, in the primary cluster
    assert 'source_workload="frontend-deployment"' in query  # the Deployment's name
    assert 'destination_service="worker-service.default.svc.cluster.local"' in query

"""kubernetes/: both clusters render, validate strictly, and keep the contracts."""
import re

import shutil

import kubernetes_validate
import pytest
import yaml

from conftest import PORTS, REPO, SERVICES, containers, find, need, pod_labels, render, run, selects

CLUSTERS = ["kubernetes/primary", "kubernetes/burst"]
OVERLAYS = CLUSTERS + ["kubernetes/overflow"]  # every kustomization that is applied on its own
NAMESPACE = "string-hashr"
# preStop's sleep action needs 1.30; also check against the newest schema known.
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def names(objects, kind):
    return {o["metadata"]["name"] for o in find(objects, kind)}


def test_primary_has_everything_but_the_burst_worker(primary):
    assert names(primary, "Deployment") == {
        "frontend-deployment", "worker-primary-deployment", "redis-deployment", "istiowatcher-deployment"}
    assert names(primary, "Service") == set(SERVICES)
    # One identity per workload (issue 12); only the watcher has a Role.
    assert names(primary, "ServiceAccount") == {"frontend", "worker", "redis", "istiowatcher"}
    assert names(primary, "Role") == names(primary, "RoleBinding") == {"istiowatcher"}
    assert [n for n in names(primary, "ConfigMap") if n.startswith("istiowatcher-config")]
    assert names(primary, "PodDisruptionBudget") == {"frontend", "worker-primary", "redis"}
    assert names(primary, "NetworkPolicy") == {"frontend", "worker", "redis", "istiowatcher"}
    assert names(primary, "Namespace") == {NAMESPACE}
    assert not find(primary, "HorizontalPodAutoscaler"), "the primary's capacity is fixed"


def test_burst_has_the_burst_worker_and_the_shared_services(burst):
    assert names(burst, "Deployment") == {"worker-burst-deployment"}
    assert names(burst, "Service") == {"worker-service", "redis-cache-service"}
    assert names(burst, "ServiceAccount") == names(burst, "NetworkPolicy") == {"worker"}
    assert names(burst, "HorizontalPodAutoscaler") == names(burst, "PodDisruptionBudget") == {"worker-burst"}
    assert {o["kind"] for o in burst} == {"Namespace", "Deployment", "Service", "ServiceAccount", "NetworkPolicy",
                                          "HorizontalPodAutoscaler", "PodDisruptionBudget"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("cluster", OVERLAYS)
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


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def values(container):
    return {name: e["value"] for name, e in env_of(container).items() if "value" in e}


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


SIDECAR_DRAIN = 5  # pilot-agent's MINIMUM_DRAIN_DURATION with EXIT_ON_ZERO_ACTIVE_CONNECTIONS


@pytest.mark.parametrize("deployment", all_deployments(), ids=lambda d: d["metadata"]["name"])
def test_rollouts_lose_nothing(deployment):
    """The timeline of docs/DEPLOYING.md: sidecar up before the app and down after it; the grace
    period covers the preStop pause, the app's SHUTDOWN_GRACE and the sidecar's drain, with room."""
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["sidecar.istio.io/nativeSidecar"] == "true"
    proxy = yaml.safe_load(annotations["proxy.istio.io/config"])
    assert proxy["holdApplicationUntilProxyStarts"] is True
    assert proxy["proxyMetadata"]["EXIT_ON_ZERO_ACTIVE_CONNECTIONS"] == "true"
    pod = deployment["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    pause = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    grace = 10
    if c["name"] != "redis":
        assert values(c)["SHUTDOWN_GRACE"] == "10s"
    if c["name"] in ("frontend", "worker"):  # behind a Service: let the endpoints drop the pod first
        assert pause == 5
    assert pod["terminationGracePeriodSeconds"] >= pause + grace + SIDECAR_DRAIN + 5
    strategy = deployment["spec"]["strategy"]
    if strategy["type"] == "RollingUpdate":
        assert strategy["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}


def test_one_identity_per_workload_and_only_the_watcher_gets_an_api_token(primary, burst):
    expected = {"frontend-deployment": "frontend", "worker-primary-deployment": "worker",
                "worker-burst-deployment": "worker", "redis-deployment": "redis",
                "istiowatcher-deployment": "istiowatcher"}
    accounts = {(o["metadata"]["name"]): o for o in find(primary, "ServiceAccount") + find(burst, "ServiceAccount")}
    for d in all_deployments():
        pod = d["spec"]["template"]["spec"]
        account = expected[d["metadata"]["name"]]
        assert pod["serviceAccountName"] == account
        assert account in accounts
        if account == "istiowatcher":
            assert pod["automountServiceAccountToken"] is True
        else:
            assert pod["automountServiceAccountToken"] is False
            assert accounts[account]["automountServiceAccountToken"] is False


def port_named(container, name):
    return next(p["containerPort"] for p in container["ports"] if p["name"] == name)


@pytest.mark.parametrize("name,app", [
    ("frontend-deployment", "frontend"), ("worker-primary-deployment", "worker"),
    ("worker-burst-deployment", "worker"), ("istiowatcher-deployment", "istiowatcher")])
def test_swift_services_listen_where_the_contract_says(name, app):
    d = next(d for d in all_deployments() if d["metadata"]["name"] == name)
    (c,) = containers(d)
    env = values(c)
    assert port_named(c, "http") == PORTS[app] == int(env["PORT"])
    assert env["LOG_FORMAT"] == "json"
    annotations = d["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(PORTS[app])
    assert annotations["prometheus.io/path"] == "/metrics"
    ready = c["readinessProbe"]["httpGet"]
    assert (ready["path"], ready["port"]) == ("/_healthz", "http")
    if app != "istiowatcher":  # the watcher's liveness must not depend on Prometheus
        live = c["livenessProbe"]["httpGet"]
        assert (live["path"], live["port"]) == ("/", "http")


def redis_url_from_the_secret(container):
    """REDIS_URL is built by the kubelet from REDIS_PASSWORD, a secretKeyRef defined before it."""
    env = list(container["env"])
    names_in_order = [e["name"] for e in env]
    password = env_of(container)["REDIS_PASSWORD"]
    assert password["valueFrom"] == {"secretKeyRef": {"name": "redis-auth", "key": "password"}}
    assert names_in_order.index("REDIS_PASSWORD") < names_in_order.index("REDIS_URL"), "$(VAR) sees earlier vars only"
    return env_of(container)["REDIS_URL"]["value"]


def test_service_environment(primary, burst):
    def container(objects, name):
        (c,) = containers(find(objects, "Deployment", name))
        return c

    frontend = container(primary, "frontend-deployment")
    env = values(frontend)
    assert env["PROCESSOR_URL"] == "http://worker-service"
    assert env["MAX_RATE"] == "100" and env["MAX_SSE_CLIENTS"] == "500"
    for name, objects in (("frontend-deployment", primary), ("worker-primary-deployment", primary),
                          ("worker-burst-deployment", burst)):
        assert redis_url_from_the_secret(container(objects, name)) == (
            "redis://:$(REDIS_PASSWORD)@redis-cache-service:6379")
    assert values(container(primary, "worker-primary-deployment")) == {
        "PORT": "8081", "REDIS_URL": "redis://:$(REDIS_PASSWORD)@redis-cache-service:6379",
        "SHUTDOWN_GRACE": "10s", "LOG_FORMAT": "json"}
    assert values(container(burst, "worker-burst-deployment")) == {
        "PORT": "8081", "REDIS_URL": "redis://:$(REDIS_PASSWORD)@redis-cache-service:6379", "PREFIX": "bursty-",
        "SHUTDOWN_GRACE": "10s", "LOG_FORMAT": "json"}


def test_frontend_never_starts_without_its_rate_control_token(primary):
    d = find(primary, "Deployment", "frontend-deployment")
    (c,) = containers(d)
    path = values(c)["RATE_CONTROL_TOKEN_FILE"]
    (mount,) = [m for m in c["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
    (volume,) = [v for v in d["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
    secret = volume["secret"]
    assert secret["secretName"] == "rate-control-token" and secret["optional"] is False
    assert secret["items"] == [{"key": "token", "path": path[len(mount["mountPath"]) + 1:]}]
    assert "RATE_CONTROL_TOKEN" not in values(c), "the token itself never appears in a manifest"


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


def test_redis_keeps_only_data_writable_and_needs_its_password(primary):
    d = find(primary, "Deployment", "redis-deployment")
    (c,) = containers(d)
    assert c["image"].startswith("redis:7")
    assert port_named(c, "tcp-redis") == PORTS["redis"]
    assert c["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert d["spec"]["template"]["spec"]["volumes"][0]["emptyDir"]
    assert "--protected-mode" not in c["args"]
    assert c["args"][c["args"].index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    for name in ("REDIS_PASSWORD", "REDISCLI_AUTH"):  # the server's, and the probes' redis-cli
        assert env_of(c)[name]["valueFrom"] == {"secretKeyRef": {"name": "redis-auth", "key": "password"}}


RELEASE = "kubernetes/release/kustomization.yaml"


def test_images_and_tags_are_set_in_one_place():
    """Our three images get their registry and tag from kubernetes/release alone (the deploy script
    writes it); the committed placeholder can never be pulled, so no fixed tag is ever reused."""
    images = {c["image"] for d in all_deployments() for c in containers(d)}
    ours = {i for i in images if "/string-hashr/" in i}
    assert {i.rsplit(":", 1)[0] for i in ours} == {
        "registry.invalid/string-hashr/frontend", "registry.invalid/string-hashr/worker",
        "registry.invalid/string-hashr/istiowatcher"}
    assert {i.rsplit(":", 1)[1] for i in ours} == {"0.0.0-unset"}, "one release tag for the three services"
    declaring = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "kubernetes").rglob("*.yaml")
                       if re.search(r"^images:", p.read_text(), re.M))
    assert declaring == ["kubernetes/common/kustomization.yaml", RELEASE]
    assert "string-hashr" not in (REPO / "kubernetes/common/kustomization.yaml").read_text().split("images:")[1] \
        .split("labels:")[0], "common names only Redis's image"
    for p in (REPO / "kubernetes").rglob("*.yaml"):
        assert not re.search(r"image: \S+:", p.read_text()), f"{p}: tags belong in kubernetes/release"


def test_a_release_moves_every_image_and_version_label(tmp_path):
    """What the deploy script writes into kubernetes/release (a registry with a port, a build tag)
    reaches every image of both clusters and every object's version label; Redis's pods keep
    Redis's own version, so a release does not restart Redis."""
    shutil.copytree(REPO / "kubernetes", tmp_path / "kubernetes")
    release = tmp_path / RELEASE
    text = release.read_text().replace("registry.invalid", "registry.example:5000/team").replace(
        "0.0.0-unset", "0.2.0-1a2b3c4")
    release.write_text(text)
    for cluster in OVERLAYS:
        rendered = run(need("kubectl"), "kustomize", str(tmp_path / cluster)).stdout
        objects = [o for o in yaml.safe_load_all(rendered) if o]
        for d in find(objects, "Deployment"):
            for c in containers(d):
                if c["name"] != "redis":
                    assert c["image"] == f"registry.example:5000/team/string-hashr/{c['name']}:0.2.0-1a2b3c4"
        for obj in objects:
            assert obj["metadata"]["labels"]["app.kubernetes.io/version"] == "0.2.0-1a2b3c4", obj["metadata"]
        for d in find(objects, "Deployment"):
            expected = "7" if d["metadata"]["name"] == "redis-deployment" else "0.2.0-1a2b3c4"
            assert pod_labels(d)["app.kubernetes.io/version"] == expected


def test_redis_pods_carry_the_redis_tag_as_their_version(primary):
    d = find(primary, "Deployment", "redis-deployment")
    (c,) = containers(d)
    assert pod_labels(d)["app.kubernetes.io/version"] == c["image"].split(":")[1]


def test_every_object_is_in_the_one_namespace():
    for cluster in OVERLAYS:
        for obj in render(cluster):
            if obj["kind"] == "Namespace":
                assert obj["metadata"]["name"] == NAMESPACE
                assert obj["metadata"]["labels"]["istio-injection"] == "enabled"
            else:
                assert obj["metadata"]["namespace"] == NAMESPACE, obj["metadata"]["name"]


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
    assert "BURST_MODE" not in data, "the default mode: all traffic moves at 15 requests/s"
    query = data["PROMETHEUS_QUERY"]
    assert query.startswith("sum(rate(istio_requests_total{") and "[1m]))" in query
    assert 'reporter="source"' in query  # the frontend's sidecar, in the primary cluster
    assert 'source_workload="frontend-deployment"' in query  # the Deployment's name
    assert f'destination_service="worker-service.{NAMESPACE}.svc.cluster.local"' in query


# --- labels, and every selector agreeing with them ---------------------------------------------

NAME_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
               "app.kubernetes.io/version")
WORKLOAD_OBJECTS = {"Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy",
                    "HorizontalPodAutoscaler", "Role", "RoleBinding", "ConfigMap"}


@pytest.mark.parametrize("cluster", OVERLAYS)
def test_objects_and_pods_carry_the_recommended_labels(cluster):
    for obj in render(cluster):
        labels = obj["metadata"]["labels"]
        assert set(NAME_LABELS) <= set(labels), (obj["kind"], obj["metadata"]["name"])
        assert labels["app.kubernetes.io/part-of"] == "string-hashr"
        if obj["kind"] in WORKLOAD_OBJECTS:
            assert labels["app.kubernetes.io/name"] == labels["app"], obj["metadata"]["name"]
    for d in find(render(cluster), "Deployment"):
        pod = pod_labels(d)
        assert set(NAME_LABELS) <= set(pod)
        for label in ("app", "app.kubernetes.io/name", "app.kubernetes.io/component"):
            assert pod[label] == d["metadata"]["labels"][label]


def test_deployment_selectors_are_the_ones_users_already_have():
    """A Deployment's selector is immutable: an upgrade must find the one it has (docs/DEPLOYING.md)."""
    selectors = {d["metadata"]["name"]: d["spec"]["selector"]["matchLabels"] for d in all_deployments()}
    assert selectors == {
        "frontend-deployment": {"app": "frontend"}, "redis-deployment": {"app": "redis"},
        "istiowatcher-deployment": {"app": "istiowatcher"},
        "worker-primary-deployment": {"app": "worker", "cluster-type": "primary-cluster"},
        "worker-burst-deployment": {"app": "worker", "cluster-type": "burst-cluster"}}


@pytest.mark.parametrize("cluster", OVERLAYS)
def test_every_selector_selects_pods_of_this_cluster_and_never_by_version(cluster):
    objects = render(cluster)
    deployments = find(objects, "Deployment")
    selectors = [(s["kind"], s["metadata"]["name"], s["spec"]["selector"]) for s in find(objects, "Service")]
    selectors += [(o["kind"], o["metadata"]["name"], o["spec"]["selector"]["matchLabels"])
                  for o in find(objects, "PodDisruptionBudget")]
    selectors += [(o["kind"], o["metadata"]["name"], o["spec"]["podSelector"]["matchLabels"])
                  for o in find(objects, "NetworkPolicy")]
    for kind, name, selector in selectors:
        assert "app.kubernetes.io/version" not in selector, (kind, name)
        if kind == "Service" and name == "redis-cache-service" and cluster == "kubernetes/burst":
            continue  # no local endpoints on purpose: Istio sends it to the primary
        if kind == "NetworkPolicy" and name == "worker" or kind != "NetworkPolicy":
            assert [d for d in deployments if selects(selector, pod_labels(d))], (kind, name)


@pytest.mark.parametrize("cluster", OVERLAYS)
def test_disruption_budgets_match_their_deployments_exactly(cluster):
    objects = render(cluster)
    for pdb in find(objects, "PodDisruptionBudget"):
        (d,) = [d for d in find(objects, "Deployment") if selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(d))]
        assert pdb["spec"]["selector"]["matchLabels"] == d["spec"]["selector"]["matchLabels"]
        assert pdb["spec"]["minAvailable"] == 1
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow", "a broken pod never blocks a drain"
    covered = {d["metadata"]["name"] for d in find(objects, "Deployment")
               if any(selects(p["spec"]["selector"]["matchLabels"], pod_labels(d))
                      for p in find(objects, "PodDisruptionBudget"))}
    assert covered == names(objects, "Deployment") - {"istiowatcher-deployment"}


# --- capacity: a burst that adds workers, a primary that does not move -------------------------

PER_POD_RPS = 2000  # requests/s of one worker pod at 1 CPU (docs/DEPLOYING.md, "Sizing")


def test_burst_workers_autoscale_on_their_own_cpu(burst):
    hpa = find(burst, "HorizontalPodAutoscaler", "worker-burst")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker-burst-deployment"}
    d = find(burst, "Deployment", target["name"])
    assert "replicas" not in d["spec"], "apply would reset what the autoscaler chose"
    assert hpa["spec"]["minReplicas"] == 1 and hpa["spec"]["maxReplicas"] > 1
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "ContainerResource"
    resource = metric["containerResource"]
    assert (resource["name"], resource["container"]) == ("cpu", "worker")
    assert resource["container"] in [c["name"] for c in containers(d)]
    assert resource["target"]["type"] == "Utilization" and 0 < resource["target"]["averageUtilization"] < 100


def test_max_replicas_is_written_once():
    hits = [p.relative_to(REPO).as_posix() for p in (REPO / "kubernetes").rglob("*.yaml")
            if "maxReplicas" in p.read_text()]
    assert hits == ["kubernetes/burst/worker-burst.yaml"]


def test_workers_are_sized_from_the_per_pod_rate(primary, burst):
    for objects, name in ((primary, "worker-primary-deployment"), (burst, "worker-burst-deployment")):
        (c,) = containers(find(objects, "Deployment", name))
        # The rate was measured at 1 CPU: a pod at its request is a pod at that rate.
        assert c["resources"]["requests"]["cpu"] == c["resources"]["limits"]["cpu"] == "1"
    assert find(primary, "Deployment", "worker-primary-deployment")["spec"]["replicas"] >= 2


def test_overflow_overlay_derives_the_primary_capacity():
    overflow = render("kubernetes/overflow")
    (c,) = containers(find(overflow, "Deployment", "istiowatcher-deployment"))
    data = find(overflow, "ConfigMap", c["envFrom"][0]["configMapRef"]["name"])["data"]
    replicas = find(overflow, "Deployment", "worker-primary-deployment")["spec"]["replicas"]
    assert data["BURST_MODE"] == "overflow"
    assert int(data["PRIMARY_CAPACITY_RPS"]) == replicas * PER_POD_RPS
    assert 1 <= int(data["WEIGHT_STEP"]) <= 100
    (frontend,) = containers(find(overflow, "Deployment", "frontend-deployment"))
    assert int(values(frontend)["MAX_RATE"]) > int(data["PRIMARY_CAPACITY_RPS"]), "else overflow never shows"
    # Everything else is the primary as it is.
    primary = {(o["kind"], o["metadata"]["name"]) for o in render("kubernetes/primary") if o["kind"] != "ConfigMap"}
    assert primary == {(o["kind"], o["metadata"]["name"]) for o in overflow if o["kind"] != "ConfigMap"}

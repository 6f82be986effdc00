"""compose.yaml: valid for docker-compose, the same topology as the local run, our images with the
version-and-commit tag scheme, third-party images as settings, health conditions, Redis with a
password, and HAProxy's runtime API on a network of its own. Tests/Images runs it for real."""
import os
import re
import shutil

import pytest
import yaml

from conftest import PORTS, REPO, render, run

EXPECTED = {"redis", "worker-primary", "worker-burst", "haproxy", "prometheus", "frontend", "istiowatcher"}
OURS = {"worker-primary": "worker", "worker-burst": "worker", "frontend": "frontend", "istiowatcher": "istiowatcher"}
PUBLIC_IMAGES = {"redis": "redis:7", "haproxy": "haproxy:2.6", "prometheus": "prom/prometheus:v2.53.0"}
# Settings that change what compose resolves; each test sets the ones it means.
SETTINGS = ("TAG", "IMAGE_PREFIX", "REDIS_IMAGE", "HAPROXY_IMAGE", "PROMETHEUS_IMAGE", "SWIFT_IMAGE",
            "RUNTIME_IMAGE", "REDIS_PASSWORD", "FRONTEND_PORT", "PROMETHEUS_PORT")


def docker_compose():
    path = os.environ.get("DOCKER_COMPOSE") or shutil.which("docker-compose")
    if not path:
        pytest.fail("docker-compose 1.29.2 is not installed: see Tests/requirements-compose.txt")
    return path


def resolved(**settings):
    """The file as docker-compose resolves it (anchors merged, env_file read, variables set)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    result = run(docker_compose(), "-f", str(REPO / "compose.yaml"), "config", check=False, env=dict(env, **settings))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def compose():
    return resolved()["services"]


def test_compose_validates_and_has_the_local_topology(compose):
    assert set(compose) == EXPECTED


def test_compose_rejects_a_broken_file(tmp_path):
    broken = yaml.safe_load((REPO / "compose.yaml").read_text())
    broken["services"]["frontend"]["enviroment"] = {}
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken))
    result = run(docker_compose(), "-f", str(tmp_path / "compose.yaml"), "config", check=False)
    assert result.returncode != 0 and "enviroment" in result.stderr


def dockerfile_defaults():
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", (REPO / "Dockerfiles/Dockerfile").read_text(), re.M))


def test_our_services_build_one_dockerfile_per_target_with_the_kustomize_names(compose):
    # The clusters name the registry (kubernetes/release); the image's own name is what must agree.
    names = {"/".join(c["image"].split(":")[0].split("/")[-2:])
             for d in render("kubernetes/primary") + render("kubernetes/burst")
             if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]}
    for name, target in OURS.items():
        svc = compose[name]
        assert svc["build"]["dockerfile"] == "Dockerfiles/Dockerfile"
        assert svc["build"]["target"] == target
        assert svc["build"]["args"] == dockerfile_defaults(), "the Dockerfile's own defaults"
        assert svc["image"] == f"string-hashr/{target}:local", "a compose build is never taken for a release"
        assert svc["image"].split(":")[0] in names
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
        assert svc["healthcheck"]["test"] == ["CMD", "/app/healthcheck", str(PORTS[target])]


def test_images_follow_the_settings():
    services = resolved(TAG="0.2.0-abc1234", IMAGE_PREFIX="registry.example/hashr", REDIS_IMAGE="r:1",
                        HAPROXY_IMAGE="h:2", PROMETHEUS_IMAGE="p:3", SWIFT_IMAGE="s:4", RUNTIME_IMAGE="rt:5")["services"]
    for name, target in OURS.items():
        assert services[name]["image"] == f"registry.example/hashr/{target}:0.2.0-abc1234"
        assert services[name]["build"]["args"] == {"SWIFT_IMAGE": "s:4", "RUNTIME_IMAGE": "rt:5"}
    assert {n: services[n]["image"] for n in PUBLIC_IMAGES} == {"redis": "r:1", "haproxy": "h:2", "prometheus": "p:3"}


def test_third_party_images_default_to_the_public_ones(compose):
    assert {n: compose[n]["image"] for n in PUBLIC_IMAGES} == PUBLIC_IMAGES
    redis = {c["image"] for d in render("kubernetes/primary") if d["kind"] == "Deployment"
             for c in d["spec"]["template"]["spec"]["containers"] if c["image"].startswith("redis:")}
    assert redis == {PUBLIC_IMAGES["redis"]}


def test_environment_follows_the_contracts(compose):
    env = {name: svc.get("environment", {}) for name, svc in compose.items()}
    redis_url = "redis://:local-demo-only@redis:6379"
    assert env["worker-primary"] == {"PORT": str(PORTS["worker"]), "REDIS_URL": redis_url, "LOG_FORMAT": "json"}
    assert env["worker-burst"] == {"PORT": str(PORTS["worker"]), "REDIS_URL": redis_url, "PREFIX": "bursty-",
                                   "LOG_FORMAT": "json"}
    assert env["frontend"]["PROCESSOR_URL"] == "http://haproxy:8090"
    assert env["frontend"]["REDIS_URL"] == redis_url
    assert env["frontend"]["LOG_FORMAT"] == "json"
    watcher = env["istiowatcher"]
    assert watcher["ROUTER"] == "haproxy" and watcher["HAPROXY_BACKEND"] == "worker"
    assert watcher["HAPROXY_ADDR"] == "haproxy-admin:9999"
    assert watcher["PROMETHEUS_URL"] == "http://prometheus:9090"
    assert watcher["LOG_FORMAT"] == "json"
    assert "haproxy_backend_http_requests_total" in watcher["PROMETHEUS_QUERY"]
    haproxy = env["haproxy"]
    assert haproxy["WORKER_PRIMARY_ADDR"] == f"worker-primary:{PORTS['worker']}"
    assert haproxy["WORKER_BURST_ADDR"] == f"worker-burst:{PORTS['worker']}"
    assert haproxy["HAPROXY_RUNTIME_ADDR"] == "haproxy-admin:9999"


def test_redis_requires_the_password_everyone_uses():
    services = resolved(REDIS_PASSWORD="s3cret")["services"]
    command = services["redis"]["command"]
    assert command[command.index("--requirepass") + 1] == "s3cret"
    assert "--protected-mode" not in command
    assert services["redis"]["environment"]["REDISCLI_AUTH"] == "s3cret"  # for the health check's redis-cli
    for name in ("worker-primary", "worker-burst", "frontend"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://:s3cret@redis:6379"


def test_runtime_api_network_holds_only_haproxy_and_the_watcher():
    resolved_file = resolved()
    assert resolved_file["networks"]["mesh-admin"] == {"internal": True}
    members = {name for name, svc in resolved_file["services"].items() if "mesh-admin" in (svc.get("networks") or {})}
    assert members == {"haproxy", "istiowatcher"}
    haproxy = resolved_file["services"]["haproxy"]
    assert haproxy["networks"]["mesh-admin"]["aliases"] == ["haproxy-admin"]
    # The runtime API binds to that name only; everything else keeps listening where it did.
    assert haproxy["environment"]["HAPROXY_BIND"] == "0.0.0.0"


def test_start_order_waits_for_health_where_it_matters(compose):
    def conditions(name):
        return {dep: spec["condition"] for dep, spec in compose[name]["depends_on"].items()}
    assert conditions("worker-primary") == conditions("worker-burst") == {"redis": "service_healthy"}
    assert conditions("haproxy") == {"worker-primary": "service_healthy", "worker-burst": "service_healthy"}
    assert conditions("frontend") == {"redis": "service_healthy", "haproxy": "service_started"}
    assert conditions("istiowatcher") == {"haproxy": "service_started", "prometheus": "service_healthy"}
    for name in EXPECTED - {"haproxy"}:
        assert compose[name]["healthcheck"]["test"][0] == "CMD", name


def test_configs_are_the_shared_ones(compose):
    assert compose["haproxy"]["volumes"] == [
        f"{REPO}/deploy/local/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert compose["prometheus"]["volumes"] == [
        f"{REPO}/deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "prometheus-data:/prometheus:rw"]
    local = yaml.safe_load((REPO / "deploy/local/prometheus.yml").read_text())
    ours = yaml.safe_load((REPO / "deploy/compose/prometheus.yml").read_text())
    assert local["scrape_configs"][0]["static_configs"] == [{"targets": ["127.0.0.1:8405"]}]
    ours["scrape_configs"][0]["static_configs"] = local["scrape_configs"][0]["static_configs"]
    assert ours == local, "the compose copy differs from deploy/local/prometheus.yml in more than the target"


def test_only_the_frontend_and_prometheus_are_published_on_loopback(compose):
    published = {name: svc["ports"] for name, svc in compose.items() if svc.get("ports")}
    assert published == {"frontend": ["127.0.0.1:8080:8080/tcp"], "prometheus": ["127.0.0.1:9090:9090/tcp"]}
    moved = resolved(FRONTEND_PORT="18080", PROMETHEUS_PORT="19090")["services"]
    assert moved["frontend"]["ports"] == ["127.0.0.1:18080:8080/tcp"]
    assert moved["prometheus"]["ports"] == ["127.0.0.1:19090:9090/tcp"]

"""compose.yaml: valid for docker-compose, and the same topology as the local run."""
import os
import shutil

import pytest
import yaml

from conftest import PORTS, REPO, render, run

EXPECTED = {"redis", "worker-primary", "worker-burst", "haproxy", "prometheus", "frontend", "istiowatcher"}


def docker_compose():
    path = os.environ.get("DOCKER_COMPOSE") or shutil.which("docker-compose")
    if not path:
        pytest.fail("docker-compose 1.29.2 is not installed: see Tests/requirements-compose.txt")
    return path


@pytest.fixture(scope="module")
def compose():
    """The file as docker-compose resolves it (anchors merged, env_file read)."""
    result = run(docker_compose(), "-f", str(REPO / "compose.yaml"), "config", check=False)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_compose_validates_and_has_the_local_topology(compose):
    assert set(compose) == EXPECTED


def test_compose_rejects_a_broken_file(tmp_path):
    broken = yaml.safe_load((REPO / "compose.yaml").read_text())
    broken["services"]["frontend"]["enviroment"] = {}
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken))
    result = run(docker_compose(), "-f", str(tmp_path / "compose.yaml"), "config", check=False)
    assert result.returncode != 0 and "enviroment" in result.stderr


def test_our_services_build_from_the_dockerfiles_with_the_kustomize_tags(compose):
    tags = {c["image"].split(":")[0]: c["image"] for d in render("kubernetes/primary") + render("kubernetes/burst")
            if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]}
    for name, dockerfile in [("worker-primary", "worker"), ("worker-burst", "worker"),
                             ("frontend", "frontend"), ("istiowatcher", "istiowatcher")]:
        svc = compose[name]
        assert svc["build"]["dockerfile"] == f"Dockerfiles/{dockerfile}.Dockerfile"
        assert (REPO / svc["build"]["dockerfile"]).exists()
        assert svc["image"] == tags[f"string-hashr/{dockerfile}"]
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
    assert compose["redis"]["image"] == tags["redis"]


def test_environment_follows_the_contracts(compose):
    env = {name: svc.get("environment", {}) for name, svc in compose.items()}
    assert env["worker-primary"] == {"PORT": str(PORTS["worker"]), "REDIS_URL": "redis:6379"}
    assert env["worker-burst"] == {"PORT": str(PORTS["worker"]), "REDIS_URL": "redis:6379", "PREFIX": "bursty-"}
    assert env["frontend"]["PROCESSOR_URL"] == "http://haproxy:8090"
    assert env["frontend"]["REDIS_URL"] == "redis:6379"
    watcher = env["istiowatcher"]
    assert watcher["ROUTER"] == "haproxy" and watcher["HAPROXY_BACKEND"] == "worker"
    assert watcher["HAPROXY_ADDR"] == "haproxy:9999"
    assert watcher["PROMETHEUS_URL"] == "http://prometheus:9090"
    assert "haproxy_backend_http_requests_total" in watcher["PROMETHEUS_QUERY"]
    haproxy = env["haproxy"]
    assert haproxy["WORKER_PRIMARY_ADDR"] == f"worker-primary:{PORTS['worker']}"
    assert haproxy["WORKER_BURST_ADDR"] == f"worker-burst:{PORTS['worker']}"
    assert haproxy["HAPROXY_RUNTIME_ADDR"].endswith(":9999")


def test_configs_are_the_shared_ones(compose):
    assert compose["haproxy"]["volumes"] == [
        f"{REPO}/deploy/local/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert compose["prometheus"]["volumes"] == [
        f"{REPO}/deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro"]
    local = yaml.safe_load((REPO / "deploy/local/prometheus.yml").read_text())
    ours = yaml.safe_load((REPO / "deploy/compose/prometheus.yml").read_text())
    assert local["scrape_configs"][0]["static_configs"] == [{"targets": ["127.0.0.1:8405"]}]
    ours["scrape_configs"][0]["static_configs"] = local["scrape_configs"][0]["static_configs"]
    assert ours == local, "the compose copy differs from deploy/local/prometheus.yml in more than the target"


def test_only_the_frontend_and_prometheus_are_published_on_loopback(compose):
    published = {name: svc["ports"] for name, svc in compose.items() if svc.get("ports")}
    assert published == {"frontend": ["127.0.0.1:8080:8080/tcp"], "prometheus": ["127.0.0.1:9090:9090/tcp"]}

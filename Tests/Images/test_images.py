"""The three images, built from Dockerfiles/Dockerfile on the local bases: small, not root, and
serving with a read-only root file system and no capabilities; a bad setting stops the service with
exit code 2 and its one line in the container's logs. Sizes go to test-output/images/figures.txt."""
import os
import re
import subprocess

import pytest

from EndToEnd.e2e_support import REPO, Service, free_port, http, tool, wait_for

from .images_support import OUTPUT_DIR, SERVICES, note

# Uncompressed, as `podman image inspect --format '{{.Size}}'` prints it (issue 10).
SIZE_GOALS = {"worker": 30_000_000, "frontend": 30_000_000, "istiowatcher": 45_000_000}
HARDENED = ("--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "host")


@pytest.mark.parametrize("service", SERVICES)
def test_image_is_within_its_size_goal(podman, images, service):
    size = int(podman.run("image", "inspect", "--format", "{{.Size}}", images[service]).stdout)
    note(f"{images[service]}: {size / 1e6:.1f} MB (goal {SIZE_GOALS[service] / 1e6:.0f} MB)")
    assert size <= SIZE_GOALS[service], f"{images[service]} is {size / 1e6:.1f} MB"


@pytest.mark.parametrize("service", SERVICES)
def test_image_runs_as_nonroot_without_a_shell(podman, images, service):
    (info,) = podman.inspect(images[service], kind="image")
    assert info["Config"]["User"] == "65532:65532"
    assert info["Config"]["Entrypoint"] == [f"/app/{service}"]
    result = podman.run("run", "--rm", "--entrypoint", "/bin/sh", images[service], "-c", "true", check=False)
    assert result.returncode != 0, "the image has a shell"


@pytest.fixture
def host_redis(output_dir_images):
    port = free_port()
    service = Service("redis", [tool("redis-server"), "--port", port, "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], log_dir=output_dir_images)
    wait_for("redis-server", lambda: http_ping_redis(port), timeout=10)
    yield port
    service.stop()


@pytest.fixture
def output_dir_images(request):
    directory = OUTPUT_DIR / request.node.name.replace("/", "_")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def http_ping_redis(port):
    return subprocess.run([tool("redis-cli"), "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


@pytest.fixture
def host_haproxy(output_dir_images):
    """deploy/local/haproxy.cfg on free ports: (runtime API port, mesh port)."""
    ports = {name: free_port() for name in ("HAPROXY_PORT", "HAPROXY_RUNTIME_PORT", "HAPROXY_METRICS_PORT")}
    env = {"HAPROXY_PORT": str(ports["HAPROXY_PORT"]), "HAPROXY_METRICS_PORT": str(ports["HAPROXY_METRICS_PORT"]),
           "HAPROXY_RUNTIME_ADDR": f"127.0.0.1:{ports['HAPROXY_RUNTIME_PORT']}",
           "WORKER_PRIMARY_ADDR": f"127.0.0.1:{free_port()}", "WORKER_BURST_ADDR": f"127.0.0.1:{free_port()}"}
    service = Service("haproxy", [tool("haproxy"), "-db", "-f", REPO / "deploy/local/haproxy.cfg"], env=env,
                      log_dir=output_dir_images)
    yield ports["HAPROXY_RUNTIME_PORT"]
    service.stop()


def service_env(service, port, redis_port=None, haproxy_port=None):
    env = {"PORT": port, "LOG_FORMAT": "json"}
    if service in ("worker", "frontend"):
        env["REDIS_URL"] = f"127.0.0.1:{redis_port}"
    if service == "frontend":
        env["PROCESSOR_URL"] = f"http://127.0.0.1:{free_port()}"
    if service == "istiowatcher":
        env.update(ROUTER="haproxy", HAPROXY_ADDR=f"127.0.0.1:{haproxy_port}", DRY_RUN="1",
                   PROMETHEUS_URL=f"http://127.0.0.1:{free_port()}")
    return [arg for k, v in env.items() for arg in ("-e", f"{k}={v}")]


@pytest.mark.parametrize("service", SERVICES)
def test_image_serves_with_a_read_only_root_and_no_capabilities(podman, images, containers, ticker, host_redis,
                                                                 host_haproxy, service):
    port = free_port()
    name = containers(f"hashr-image-test-{service}", *HARDENED, *service_env(service, port, host_redis, host_haproxy),
                      images[service])
    wait_for(f"{service} to answer /_healthz with 200",
             lambda: podman.health(name)[2] and http("GET", f"http://127.0.0.1:{port}/_healthz")[0] == 200, timeout=30)
    status, _, _ = http("GET", f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    # Its health probe, as compose and Docker run it.
    ticker.watch(name)
    podman.wait_healthy([name], timeout=30, ticker=ticker)
    (info,) = podman.inspect(name)
    assert info["HostConfig"]["ReadonlyRootfs"] is True
    assert info["HostConfig"]["CapDrop"] and not info["HostConfig"].get("CapAdd")
    assert info["Config"]["User"] == "65532:65532"
    pid = info["State"]["Pid"]
    assert os.stat(f"/proc/{pid}").st_uid == 65532
    capabilities = dict(line.split(":\t") for line in open(f"/proc/{pid}/status").read().splitlines() if ":\t" in line)
    assert int(capabilities["CapEff"], 16) == 0 and int(capabilities["CapPrm"], 16) == 0


@pytest.mark.parametrize("service", SERVICES)
def test_a_bad_setting_exits_2_with_its_one_line_in_the_logs(podman, images, containers, service):
    name = containers(f"hashr-image-bad-{service}", *HARDENED, "-e", "PORT=abc", images[service])
    wait_for(f"{service} to exit", lambda: not podman.health(name)[2], timeout=20)
    (info,) = podman.inspect(name)
    assert info["State"]["ExitCode"] == 2
    lines = [line for line in podman.logs(name).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "PORT" in lines[0] and "abc" in lines[0], lines[0]


def test_a_container_that_fails_its_health_check_fails_the_test_with_its_logs(podman, images, containers, ticker):
    """Redis is not there, so the worker stays not ready: the wait fails, quoting the worker's log."""
    name = containers("hashr-image-unhealthy", *HARDENED, "--health-interval", "1s", "--health-retries", "2",
                      "-e", f"PORT={free_port()}", "-e", f"REDIS_URL=127.0.0.1:{free_port()}", images["worker"])
    ticker.watch(name)
    with pytest.raises(pytest.fail.Exception) as failure:
        podman.wait_healthy([name], timeout=30, ticker=ticker)
    message = str(failure.value)
    assert f"container {name} failed its health check" in message
    assert re.search(r"redis|Redis", message), message


def test_a_build_without_its_base_says_what_is_missing_and_how_to_get_it(env):
    result = subprocess.run([REPO / "scripts/build-images"], capture_output=True, text=True, timeout=120,
                            env=dict(env, RUNTIME_IMAGE="example.invalid/hashr-missing-base:1"), cwd=REPO)
    assert result.returncode != 0
    assert "base image example.invalid/hashr-missing-base:1 is not here and cannot be pulled" in result.stderr
    assert "export $(scripts/local-base-images)" in result.stderr


def test_a_build_without_docker_or_podman_says_how_to_get_one(tmp_path):
    for name in ("bash", "git", "dirname", "sed", "tr"):  # what the script needs before it looks
        (tmp_path / name).symlink_to(subprocess.run(["which", name], capture_output=True, text=True).stdout.strip())
    result = subprocess.run([REPO / "scripts/build-images"], capture_output=True, text=True, timeout=30,
                            env={"PATH": str(tmp_path)}, cwd=REPO)
    assert result.returncode != 0
    assert "neither docker nor podman is installed" in result.stderr and "apt-get install" in result.stderr

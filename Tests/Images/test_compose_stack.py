"""compose.yaml for real: podman-compose brings the stack up from the images scripts/build-images made
(and Redis, HAProxy and Prometheus from the local bases), every health check passes, and the demo
story works in headless chromium against it: type 20 and `bursty-` hashes appear; type 3 and they
stop. Redis wants its password; HAProxy's runtime API is out of reach but for the watcher; `down`
leaves no container, network or volume behind. Logs go to test-output/images/compose/."""
import re
import secrets
import shutil
import subprocess
import sys
import time
import pathlib

import pytest

from EndToEnd.e2e_support import free_port, http, listed, set_rate, start_browser, text, wait_for

from .images_support import OUTPUT_DIR, REPO, HealthTicker, note

PROJECT = "hashr-compose-test"
PLAIN_HASH = re.compile(r"^[A-Za-z0-9+/]{43}=$")
BURST_HASH = re.compile(r"^bursty-[A-Za-z0-9+/]{43}=$")
# Prometheus scrapes every 1 s, the watcher's window is 5 s and it polls every 1 s (deploy/local);
# the containers add little, a slow CI machine some.
SWITCH_TIMEOUT = 30


def podman_compose():
    beside = pathlib.Path(sys.executable).parent / "podman-compose"
    path = shutil.which("podman-compose") or (str(beside) if beside.exists() else None)
    if path is None:
        pytest.fail("podman-compose is not installed: pip install -r Tests/requirements-images.txt")
    return path


class ComposeStack:
    def __init__(self, podman, env, tag):
        self.podman = podman
        self.password = "pw-" + secrets.token_hex(8)
        self.frontend_port, self.prometheus_port = free_port(), free_port()
        self.env = dict(env, TAG=tag, REDIS_PASSWORD=self.password, FRONTEND_PORT=str(self.frontend_port),
                        PROMETHEUS_PORT=str(self.prometheus_port))
        self.url = f"http://127.0.0.1:{self.frontend_port}"
        self.output = OUTPUT_DIR / "compose"
        self.output.mkdir(parents=True, exist_ok=True)
        self.ticker = HealthTicker(podman)

    def compose(self, *args, timeout=300):
        result = subprocess.run([podman_compose(), "-p", PROJECT, "-f", str(REPO / "compose.yaml"), *args],
                                env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        with open(self.output / "podman-compose.log", "a") as log:
            log.write(f"$ podman-compose {' '.join(args)} -> {result.returncode}\n{result.stdout}{result.stderr}\n")
        return result

    def containers(self):
        out = self.podman.run("ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
                              "--format", "{{.Names}}").stdout
        return out.split()

    def name(self, service):
        (name,) = [n for n in self.containers() if re.fullmatch(rf"{PROJECT}[_-]{service}[_-]1", n)]
        return name

    def networks(self):
        return [n for n in self.podman.run("network", "ls", "--format", "{{.Name}}").stdout.split()
                if n.startswith(PROJECT)]

    def volumes(self):
        return [v for v in self.podman.run("volume", "ls", "--format", "{{.Name}}").stdout.split()
                if v.startswith(PROJECT)]

    def up(self):
        start = time.monotonic()
        # --no-deps: podman-compose would tie the containers together with `--requires`, and podman
        # 4.3 then fails to start the watcher ("depends on container ... not found in input list").
        # The start order stays that of depends_on; the health waits are ours (see HealthTicker).
        result = self.compose("up", "-d", "--no-build", "--no-deps")
        assert result.returncode == 0, result.stdout + result.stderr
        with_probe = [n for n in self.containers() if self.podman.health(n)[0]]
        assert len(with_probe) == 6, f"health checks on {with_probe}"  # all but HAProxy
        self.ticker.watch(*with_probe)
        self.podman.wait_healthy(with_probe, timeout=120, ticker=self.ticker)
        note(f"compose up to all healthy: {time.monotonic() - start:.1f} s")
        for name in self.containers():
            assert self.podman.health(name)[2], f"{name} is not running:\n{self.podman.logs(name)}"

    def save_logs(self):
        for name in self.containers():
            (self.output / f"{name}.log").write_text(self.podman.logs(name))

    def down(self):
        self.ticker.stop()
        self.save_logs()
        return self.compose("down", "--volumes", "--timeout", "15")


@pytest.fixture(scope="module")
def stack(podman, env, tag):
    if PROJECT in " ".join(podman.run("ps", "-a", "--format", "{{.Names}}").stdout.split()):
        subprocess.run([podman_compose(), "-p", PROJECT, "-f", str(REPO / "compose.yaml"), "down"],
                       env=dict(env, TAG=tag), cwd=REPO, capture_output=True)
    stack = ComposeStack(podman, env, tag)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def browser():
    driver = start_browser()
    yield driver
    driver.quit()


def test_every_service_runs_from_our_images_and_the_local_bases(stack, images, settings):
    expected = {"worker-primary": images["worker"], "worker-burst": images["worker"],
                "frontend": images["frontend"], "istiowatcher": images["istiowatcher"],
                "redis": settings["REDIS_IMAGE"], "haproxy": settings["HAPROXY_IMAGE"],
                "prometheus": settings["PROMETHEUS_IMAGE"]}
    for service, image in expected.items():
        (info,) = stack.podman.inspect(stack.name(service))
        assert info["ImageName"].removeprefix("localhost/") == image.removeprefix("localhost/"), service


def test_type_20_then_3_in_the_browser(stack, browser):
    driver = browser
    driver.get(stack.url + "/")
    assert driver.title == "String Hashr"
    wait_for("the page to connect", lambda: text(driver, "connection-status") == "connected", timeout=15)

    set_rate(driver, 20)
    typed = time.monotonic()
    wait_for("bursty- hashes after typing 20", lambda: (h := listed(driver, 1)) and BURST_HASH.match(h[0]),
             timeout=SWITCH_TIMEOUT, interval=0.1)
    note(f"compose: first bursty- hash {time.monotonic() - typed:.1f} s after typing 20")
    driver.save_screenshot(str(stack.output / "rate-20.png"))

    set_rate(driver, 3)
    typed = time.monotonic()
    wait_for("plain hashes after typing 3", lambda: (h := listed(driver, 1)) and PLAIN_HASH.match(h[0]),
             timeout=SWITCH_TIMEOUT, interval=0.1)
    note(f"compose: bursty- hashes stopped {time.monotonic() - typed:.1f} s after typing 3")
    # They stay stopped: the newest hashes, all sent at 3/s after the switch back, are plain.
    time.sleep(4)
    hashes = listed(driver, 8)
    assert len(hashes) == 8 and all(PLAIN_HASH.match(h) for h in hashes), hashes
    driver.save_screenshot(str(stack.output / "rate-3.png"))
    set_rate(driver, 0)
    assert text(driver, "failed") in ("0", "0.0")


def test_redis_wants_the_password_and_no_log_shows_it(stack):
    redis = stack.name("redis")
    result = stack.podman.run("exec", redis, "env", "-u", "REDISCLI_AUTH", "redis-cli", "ping", check=False)
    assert "NOAUTH" in result.stdout + result.stderr
    for service in ("worker-primary", "worker-burst", "frontend", "istiowatcher"):
        assert stack.password not in stack.podman.logs(stack.name(service)), service


def test_haproxy_runtime_api_is_out_of_reach_but_for_the_watcher(stack):
    # From the default network (here: Redis's container, which has a shell), neither the admin name
    # nor HAProxy's own name reaches port 9999; the mesh port on the same container does answer.
    redis = stack.name("redis")
    probe = "timeout 3 bash -c 'exec 3<>/dev/tcp/{}/{}' && echo open || echo closed"
    for host, port, expected in (("haproxy", 8090, "open"), ("haproxy", 9999, "closed"),
                                 ("haproxy-admin", 9999, "closed")):
        out = stack.podman.run("exec", redis, "bash", "-c", probe.format(host, port), check=False).stdout
        assert out.strip().endswith(expected), (host, port, out)
    (info,) = stack.podman.inspect(stack.name("istiowatcher"))
    assert any("mesh-admin" in n for n in info["NetworkSettings"]["Networks"])
    members = [n for n in stack.containers()
               if any("mesh-admin" in net for net in stack.podman.inspect(n)[0]["NetworkSettings"]["Networks"])]
    assert sorted(re.sub(rf"^{PROJECT}[_-]|[_-]1$", "", n) for n in members) == ["haproxy", "istiowatcher"]


def test_prometheus_is_published_on_loopback(stack):
    status, _, body = http("GET", f"http://127.0.0.1:{stack.prometheus_port}/-/ready")
    assert status == 200


def test_down_leaves_no_container_network_or_volume(stack):
    result = stack.down()
    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.containers() == []
    assert stack.networks() == []
    assert stack.volumes() == []

"""deploy/local and scripts/run-local, with stand-ins for the Swift binaries
(Tests/Deployment/fakes): the script's own behaviour, HAProxy as the mesh,
Prometheus scraping it. The end-to-end run with the real services is elsewhere."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from conftest import REPO, need
from EndToEnd.raw_clients import haproxy_command
from EndToEnd.stack_ports import DEFAULT_PORTS, free_port_offset

WATCHER_ENV = dict(line.split("=", 1) for line in (REPO / "deploy/local/istiowatcher.env").read_text().splitlines()
                   if line and not line.startswith("#"))


def post(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=b'{"str": "x"}', method="POST")
    with urllib.request.urlopen(request, timeout=5) as r:
        return r.read().decode().strip()


def prometheus_value(port, query):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return [float(sample["value"][1]) for sample in body["data"]["result"]]


@pytest.fixture
def fake_bin(tmp_path):
    directory = tmp_path / "bin"
    directory.mkdir()
    fake = REPO / "Tests/Deployment/fakes/fake_service.py"
    for role in ("worker", "frontend", "istiowatcher"):
        path = directory / role
        path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake}" {role}\n')
        path.chmod(0o755)
    return directory


def start_stack(fake_bin, tmp_path, offset, **extra):
    """scripts/run-local in the background; its output collects in process.lines."""
    env = dict(os.environ, SKIP_BUILD="1", BIN_DIR=str(fake_bin), PORT_OFFSET=str(offset),
               LOCAL_STACK_DIR=str(tmp_path / "stack"), FAKE_ENV_DUMP=str(tmp_path), READY_TIMEOUT="30", **extra)
    process = subprocess.Popen([str(REPO / "scripts/run-local")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    process.lines = []
    process.reader = threading.Thread(target=lambda: process.lines.extend(process.stdout), daemon=True)
    process.reader.start()
    return process


def output(process):
    process.reader.join(timeout=10)
    return "".join(process.lines)


def read_until(process, pattern, timeout):
    """The output so far, once a line matches pattern (fails on exit or timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(re.search(pattern, line) for line in list(process.lines)):
            return "".join(process.lines)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"no line matching {pattern!r} in:\n{output(process) if process.poll() is not None else ''.join(process.lines)}")


def dumped_env(tmp_path, role, port):
    lines = (tmp_path / f"{role}-{port}.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


# --- deploy/local ----------------------------------------------------------------

def test_haproxy_config_is_valid_for_the_local_run_and_for_compose():
    haproxy = need("haproxy")
    cfg = str(REPO / "deploy/local/haproxy.cfg")
    for env in ({}, {"HAPROXY_BIND": "0.0.0.0", "HAPROXY_RUNTIME_ADDR": "0.0.0.0:9999",
                     "WORKER_PRIMARY_ADDR": "localhost:8081", "WORKER_BURST_ADDR": "localhost:8081"}):
        result = subprocess.run([haproxy, "-c", "-f", cfg], env=dict(os.environ, **env),
                                capture_output=True, text=True)
        assert result.returncode == 0 and "Warnings" not in result.stdout + result.stderr, result.stderr


def test_haproxy_config_matches_the_watchers_router():
    cfg = (REPO / "deploy/local/haproxy.cfg").read_text()
    backend = re.search(r"^backend (\S+)\n((?:    .*\n)+)", cfg, re.M)
    assert backend.group(1) == WATCHER_ENV["HAPROXY_BACKEND"] == "worker"
    servers = dict(re.findall(r"server (\w+) .* weight (\d+)", backend.group(2)))
    assert servers == {"primary": "100", "burst": "0"}
    assert "option httpchk GET /_healthz" in backend.group(2)
    assert re.search(r'stats socket "ipv4@\$\{HAPROXY_RUNTIME_ADDR-127.0.0.1:9999\}" level admin', cfg)
    assert "http-request use-service prometheus-exporter if { path /metrics }" in cfg


def test_watcher_env_for_local_runs():
    assert WATCHER_ENV == {
        "ROUTER": "haproxy", "HAPROXY_BACKEND": "worker", "POLL_INTERVAL": "1s",
        "BURST_HIGH_RPS": "15", "BURST_LOW_RPS": "10",
        "PROMETHEUS_QUERY": 'sum(rate(haproxy_backend_http_requests_total{proxy="worker"}[5s]))'}


# --- scripts/run-local -------------------------------------------------------------

def test_run_local_starts_routes_and_stops_everything(fake_bin, tmp_path):
    for tool in ("redis-server", "haproxy", "prometheus", "curl", "ss"):
        need(tool)
    offset = free_port_offset()
    port = {name: p + offset for name, p in DEFAULT_PORTS.items()}
    process = start_stack(fake_bin, tmp_path, offset)
    try:
        out = read_until(process, r"String Hashr is running", 90)
        assert f"String Hashr is running: open http://127.0.0.1:{port['FRONTEND']}" in out
        pids = dict(line.split() for line in (tmp_path / "stack/pids").read_text().splitlines())
        assert set(pids) == {"redis", "worker-primary", "worker-burst", "haproxy", "prometheus",
                             "frontend", "istiowatcher"}

        # Each service got the settings of the contract.
        assert dumped_env(tmp_path, "worker", port["WORKER_PRIMARY"]).get("PREFIX") is None
        assert dumped_env(tmp_path, "worker", port["WORKER_BURST"])["PREFIX"] == "bursty-"
        frontend = dumped_env(tmp_path, "frontend", port["FRONTEND"])
        assert frontend["PROCESSOR_URL"] == f"http://127.0.0.1:{port['HAPROXY']}"
        # Redis wants a password, new each run, kept in a file only this user reads, never in argv.
        url = re.fullmatch(rf"redis://:([0-9a-f]{{32}})@127\.0\.0\.1:{port['REDIS']}", frontend["REDIS_URL"])
        assert url, frontend["REDIS_URL"]
        password = url.group(1)
        assert dumped_env(tmp_path, "worker", port["WORKER_PRIMARY"])["REDIS_URL"] == frontend["REDIS_URL"]
        conf = tmp_path / "stack/redis.conf"
        assert conf.read_text() == f'requirepass "{password}"\n' and conf.stat().st_mode & 0o077 == 0
        assert password.encode() not in pathlib.Path(f"/proc/{pids['redis']}/cmdline").read_bytes()
        refused = subprocess.run([need("redis-cli"), "-p", str(port["REDIS"]), "PING"], capture_output=True, text=True)
        assert "NOAUTH" in refused.stdout + refused.stderr
        # run-local keeps each command line for whoever starts a service again (the end-to-end tests).
        argv = {name: (tmp_path / "stack/argv" / name).read_bytes() for name in pids}
        for name in ("haproxy", "prometheus"):
            assert argv[name] == pathlib.Path(f"/proc/{pids[name]}/cmdline").read_bytes(), name
        assert argv["worker-burst"] == f"{fake_bin}/worker\0".encode()
        assert argv["redis"].startswith(f"redis-server\0{conf}\0".encode())
        assert f"\0--port\0{port['REDIS']}\0".encode() in argv["redis"] and b"\0--save\0\0" in argv["redis"]
        watcher = dumped_env(tmp_path, "istiowatcher", port["WATCHER"])
        assert {k: watcher[k] for k in WATCHER_ENV} == WATCHER_ENV
        assert watcher["HAPROXY_ADDR"] == f"127.0.0.1:{port['HAPROXY_RUNTIME']}"
        assert watcher["PROMETHEUS_URL"] == f"http://127.0.0.1:{port['PROMETHEUS']}"

        # HAProxy is the mesh: primary at first, burst once the weights move.
        assert {post(port["HAPROXY"]) for _ in range(5)} == {"worker"}
        assert haproxy_command(port["HAPROXY_RUNTIME"], "get weight worker/burst").startswith("0 ")
        haproxy_command(port["HAPROXY_RUNTIME"], "set weight worker/burst 100")
        haproxy_command(port["HAPROXY_RUNTIME"], "set weight worker/primary 0")
        assert {post(port["HAPROXY"]) for _ in range(5)} == {"worker bursty-"}

        # Prometheus scrapes HAProxy: the watcher's query has one value.
        deadline = time.monotonic() + 30
        while not prometheus_value(port["PROMETHEUS"], WATCHER_ENV["PROMETHEUS_QUERY"]):
            assert time.monotonic() < deadline, "the local query never returned data"
            time.sleep(0.5)
        (rate,) = prometheus_value(port["PROMETHEUS"], WATCHER_ENV["PROMETHEUS_QUERY"])
        assert rate >= 0

        process.send_signal(signal.SIGINT)  # as Ctrl-C does
        assert process.wait(timeout=60) == 0
        assert "run-local: stopped" in output(process)
        for name, pid in pids.items():
            assert not os.path.exists(f"/proc/{pid}"), f"{name} (pid {pid}) is still running"
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


def test_run_local_names_a_port_that_is_taken(fake_bin, tmp_path):
    offset = free_port_offset()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", DEFAULT_PORTS["PROMETHEUS"] + offset))
        holder.listen()
        process = start_stack(fake_bin, tmp_path, offset)
        assert process.wait(timeout=60) != 0
    out = output(process)
    assert f"port {DEFAULT_PORTS['PROMETHEUS'] + offset} (for PROMETHEUS) is already in use" in out
    assert f"pid={os.getpid()}" in out or os.geteuid() != 0  # ss shows the holder to root
    assert not (tmp_path / "stack/pids").exists() or not (tmp_path / "stack/pids").read_text()


def test_run_local_explains_missing_binaries(tmp_path):
    process = start_stack(tmp_path / "nowhere", tmp_path, free_port_offset())
    assert process.wait(timeout=60) != 0
    out = output(process)
    assert "nowhere/worker not found" in out and "swift build -c release" in out

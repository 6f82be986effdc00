"""Helpers for the image tests: podman with the settings scripts/local-base-images prints, containers
started by name and always removed, and health checks that fail with the container's logs.

Podman schedules a container's health checks with systemd timers; a machine without systemd (this
CI) gets none, so `HealthTicker` runs `podman healthcheck run` every second, as the timer would."""
import json
import os
import pathlib
import subprocess
import threading
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO / "test-output" / "images"
SERVICES = ("worker", "frontend", "istiowatcher")


def note(line):
    """Appends a measured figure to test-output/images/figures.txt."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT_DIR / "figures.txt", "a") as figures:
        figures.write(line.rstrip() + "\n")


class Podman:
    """`podman` with an environment of its own (CONTAINERS_CONF, ...)."""

    def __init__(self, env):
        self.env = env

    def run(self, *args, check=True, timeout=120, input=None):
        result = subprocess.run(["podman", *map(str, args)], env=self.env, capture_output=True, text=True,
                                timeout=timeout, input=input)
        if check and result.returncode != 0:
            pytest.fail(f"podman {' '.join(map(str, args))} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def inspect(self, *names, kind="container"):
        out = self.run(kind, "inspect", *names).stdout
        return json.loads(out)

    def logs(self, name):
        result = self.run("logs", name, check=False)
        return result.stdout + result.stderr

    def health(self, name):
        """(status, exit code, running) of a container; status is '' without a health check."""
        (info,) = self.inspect(name)
        state = info["State"]
        health = state.get("Health") or state.get("Healthcheck") or {}
        return health.get("Status", ""), state.get("ExitCode"), state.get("Running")

    def wait_healthy(self, names, timeout=90, ticker=None):
        """Waits until every container in `names` is healthy; fails with the logs of any that turns
        unhealthy, exits, or is still not healthy at the deadline."""
        deadline = time.monotonic() + timeout
        pending = list(names)
        while pending:
            for name in list(pending):
                if ticker:
                    ticker.check(name)
                status, code, running = self.health(name)
                if status == "healthy":
                    pending.remove(name)
                elif status == "unhealthy" or not running:
                    why = "failed its health check" if running else f"exited with {code}"
                    pytest.fail(f"container {name} {why}; its logs:\n{self.logs(name)}")
            if pending and time.monotonic() > deadline:
                logs = "\n".join(f"--- {n} ({self.health(n)[0] or 'no health check'}):\n{self.logs(n)}" for n in pending)
                pytest.fail(f"not healthy after {timeout} s: {', '.join(pending)}\n{logs}")
            if pending:
                time.sleep(0.5)


class HealthTicker:
    """Runs the health checks of the given containers every `interval` s in a thread, when no systemd
    runs them (see the module's docstring)."""

    def __init__(self, podman, interval=1.0):
        self.podman, self.interval = podman, interval
        self.names, self.last = set(), {}
        self.needed = not pathlib.Path("/run/systemd/system").exists()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def watch(self, *names):
        self.names.update(names)
        if self.needed and not self.thread.is_alive():
            self.thread.start()

    def check(self, name):
        """Runs one check now unless the thread ran it within `interval` s."""
        if self.needed and time.monotonic() - self.last.get(name, 0) >= self.interval:
            self.last[name] = time.monotonic()
            self.podman.run("healthcheck", "run", name, check=False, timeout=30)

    def loop(self):
        while not self.stopping.wait(self.interval):
            for name in list(self.names):
                self.check(name)

    def stop(self):
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)


def load_settings(text):
    """NAME=value lines (scripts/local-base-images) -> dict."""
    settings = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.isidentifier():
            settings[name] = value
    return settings


def base_env():
    env = dict(os.environ)
    for name in ("TAG", "IMAGE_PREFIX", "PUSH", "PLATFORM"):
        env.pop(name, None)
    return env

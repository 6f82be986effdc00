"""The whole demo as the README runs it (`scripts/run-local`), driven from the tests, and what the tests
read from it: Prometheus text metrics and RSS from /proc. The raw clients (a Redis subscriber, a
Server-Sent Events client, the HAProxy runtime API) are in raw_clients.

Everything has a deadline and fails loudly (`pytest.fail`) instead of hanging. Processes are found
and stopped by PID (run-local's `pids` file), never by name."""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

import pytest

from .e2e_support import REPO, Service, http, tool, wait_for
from .raw_clients import haproxy_command
from .stack_ports import DEFAULT_PORTS, free_port_offset

# scripts/test builds the release binaries before pytest runs; HASHR_STACK_BIN_DIR points elsewhere
# (another scratch path while developing). The stack runs release binaries, as the README's run does.
STACK_BIN_DIR = pathlib.Path(os.environ.get("HASHR_STACK_BIN_DIR", REPO / ".build" / "release"))
RUN_LOCAL = REPO / "scripts" / "run-local"
# The Redis password the tests give run-local (it makes a random one when none is given).
REDIS_PASSWORD = "e2e-local-redis-password"

SERVICES = ("redis", "worker-primary", "worker-burst", "haproxy", "prometheus", "frontend", "istiowatcher")
SWIFT_SERVICES = ("worker-primary", "worker-burst", "frontend", "istiowatcher")
# The services' SHUTDOWN_GRACE default: how long each has to finish in-flight work after a signal.
SHUTDOWN_GRACE = 10.0


def alive(pid):
    """Running, not a zombie waiting for its parent."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def rss_kib(pid):
    """VmRSS of a process, KiB."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    pytest.fail(f"no VmRSS for pid {pid}")


def parse_metrics(text):
    """Prometheus text format -> {'name{labels}': value} (labels as written)."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        samples[key.strip()] = float(value)
    return samples


def metric_sum(samples, name):
    """The sum of every series of `name` (0 when there is none)."""
    return sum(v for k, v in samples.items() if k == name or k.startswith(name + "{"))


class LaunchSpec:
    """How to start a process again exactly as run-local started it."""

    def __init__(self, argv, env, cwd):
        self.argv, self.env, self.cwd = argv, env, cwd


class LocalStack:
    """`scripts/run-local` in the background, the README's way: SKIP_BUILD=1 with the release
    binaries, every port moved by a free PORT_OFFSET, LOCAL_STACK_DIR in a temporary folder.

    Processes a test kills and starts again are `Service`s of the test; `pid(name)` follows them.
    `close()` stops everything, whatever state the test left it in."""

    def __init__(self, run_dir, output_dir, bin_dir=STACK_BIN_DIR, start_timeout=90):
        for name in ("redis-server", "redis-cli", "haproxy", "prometheus", "curl", "ss"):
            tool(name)  # fails (never skips) when missing, naming the tool
        for name in ("worker", "frontend", "istiowatcher"):
            if not os.access(pathlib.Path(bin_dir) / name, os.X_OK):
                pytest.fail(f"{bin_dir}/{name} is missing: build with 'swift build -c release' (scripts/test does), "
                            "or point HASHR_STACK_BIN_DIR at another build")
        self.run_dir = pathlib.Path(run_dir)
        self.output_dir = pathlib.Path(output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        (self.output_dir / "figures.txt").unlink(missing_ok=True)
        self.offset = free_port_offset()
        self.ports = {name: port + self.offset for name, port in DEFAULT_PORTS.items()}
        self.url = f"http://127.0.0.1:{self.ports['FRONTEND']}"
        self.replacements = {}  # name -> Service started by a test in place of run-local's process
        self.specs = {}
        env = {k: v for k, v in os.environ.items() if not (k.endswith("_PORT") and k[:-5] in DEFAULT_PORTS)}
        # run-local makes a new Redis password each run unless given one; the tests need to know it.
        self.redis_password = REDIS_PASSWORD
        env.update(SKIP_BUILD="1", BIN_DIR=str(bin_dir), PORT_OFFSET=str(self.offset),
                   LOCAL_STACK_DIR=str(self.run_dir), READY_TIMEOUT="30", STOP_TIMEOUT="15",
                   REDIS_PASSWORD=REDIS_PASSWORD)
        self.log_path = self.output_dir / "run-local.log"
        self._log = open(self.log_path, "wb")
        # Its own process group, like a shell's foreground job, so `interrupt()` is exactly Ctrl-C.
        # `env --default-signal=INT`: a process started in the background of a non-interactive shell
        # (CI) inherits SIGINT ignored, and bash cannot trap a signal ignored on entry. A terminal's
        # foreground job always has it at its default; so does this.
        self.process = subprocess.Popen([tool("env"), "--default-signal=INT", str(RUN_LOCAL)], cwd=REPO, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while "String Hashr is running" not in self.output():
            if self.process.poll() is not None:
                pytest.fail(f"scripts/run-local exited with {self.process.returncode} during start-up:\n{self.output()}")
            if time.monotonic() > deadline:
                self.close()
                pytest.fail(f"scripts/run-local not running after {start_timeout} s:\n{self.output()}")
            time.sleep(0.1)
        self.pids = {name: int(pid) for name, pid in
                     (line.split() for line in (self.run_dir / "pids").read_text().splitlines())}
        if set(self.pids) != set(SERVICES):
            pytest.fail(f"run-local's pids file names {sorted(self.pids)}, expected {sorted(SERVICES)}")

    # --- run-local itself -------------------------------------------------------------------

    def output(self):
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def exits(self):
        """run-local's lines reporting a service that exited."""
        return re.findall(r"^run-local: (\S+) \(pid \d+\) exited with status \d+$", self.output(), re.M)

    def pid(self, name):
        replacement = self.replacements.get(name)
        return replacement.pid if replacement is not None else self.pids[name]

    def dead(self):
        """Names of the services whose current process is not running."""
        return [name for name in SERVICES if not alive(self.pid(name))]

    def assert_all_running(self, context=""):
        dead = self.dead()
        if dead:
            pytest.fail(f"{context}: {', '.join(dead)} not running; run-local says:\n{self.output()[-3000:]}")

    def interrupt(self, timeout):
        """Ctrl-C: SIGINT to run-local's process group. Returns (exit status, seconds taken,
        {service: seconds until its PID was gone})."""
        gone = {}
        pids = {name: self.pid(name) for name in SERVICES}
        start = time.monotonic()
        os.killpg(self.process.pid, signal.SIGINT)
        deadline = start + timeout
        while time.monotonic() < deadline and (self.process.poll() is None or len(gone) < len(pids)):
            for name, pid in pids.items():
                if name not in gone and not alive(pid):
                    gone[name] = time.monotonic() - start
            time.sleep(0.02)
        if self.process.poll() is None:
            pytest.fail(f"run-local still running {timeout} s after SIGINT:\n{self.output()}")
        return self.process.returncode, time.monotonic() - start, gone

    def close(self):
        """Stops the stack (SIGTERM to run-local, then SIGKILL to whatever is left, by PID) and the
        processes tests started in place of its own; keeps the services' logs in the output folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=7 * 16)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for name, pid in getattr(self, "pids", {}).items():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        for service in self.replacements.values():
            service.stop()
        self._log.close()
        logs = self.run_dir / "logs"
        if logs.is_dir():
            shutil.copytree(logs, self.output_dir / "logs", dirs_exist_ok=True)

    def note(self, line):
        """A measured figure: printed, and kept in figures.txt beside the logs."""
        print(line)
        with open(self.output_dir / "figures.txt", "a") as figures:
            figures.write(line + "\n")

    # --- the services' APIs ---------------------------------------------------------------

    def api(self, method, path, body=None, port=None, timeout=5):
        status, _, data = http(method, f"http://127.0.0.1:{port or self.ports['FRONTEND']}{path}",
                               body=None if body is None else json.dumps(body), timeout=timeout)
        return status, data

    def set_rate(self, rps):
        status, data = self.api("PUT", "/api/rate", {"rps": rps})
        assert status == 200, f"PUT /api/rate {rps}: {status} {data!r}"

    def stats(self):
        status, data = self.api("GET", "/api/stats")
        assert status == 200, f"GET /api/stats: {status} {data!r}"
        return json.loads(data)

    def metrics(self, port_name):
        status, data = self.api("GET", "/metrics", port=self.ports[port_name])
        assert status == 200, f"GET /metrics of {port_name}: {status}"
        return parse_metrics(data.decode())

    def haproxy(self, command):
        """One command on HAProxy's runtime API."""
        return haproxy_command(self.ports["HAPROXY_RUNTIME"], command)

    def burst_weight(self):
        """The burst server's current weight (HAProxy answers `100 (initial 0)`)."""
        return int(self.haproxy("get weight worker/burst").split()[0])

    def wait_weight(self, weight, timeout):
        """Waits until the burst weight is `weight`; returns the seconds it took."""
        start = time.monotonic()
        wait_for(f"HAProxy's burst weight to become {weight}", lambda: self.burst_weight() == weight,
                 timeout=timeout, interval=0.1)
        return time.monotonic() - start

    def rest(self, timeout=30):
        """Back to the natural state: rate 0, nothing in flight, 100% primary."""
        self.set_rate(0)
        wait_for("in-flight requests to finish", lambda: self.stats()["inFlight"] == 0, timeout=timeout)
        self.wait_weight(0, timeout=timeout)

    # --- killing and restarting a service ---------------------------------------------------

    def argv(self, name):
        """The command line run-local started `name` with, as it kept it (RUN_DIR/argv/NAME, each
        argument ended by a NUL). Redis renames itself in /proc, so /proc's cmdline will not do."""
        recorded = (self.run_dir / "argv" / name).read_bytes()
        if not recorded.endswith(b"\0"):
            pytest.fail(f"run-local's argv/{name} is cut short: {recorded!r}")
        return [argument.decode() for argument in recorded[:-1].split(b"\0")]

    def launch_spec(self, name):
        """How run-local started `name`: its command line as run-local kept it, and the environment
        and working directory of the running process (from /proc)."""
        pid = self.pid(name)
        env = dict(e.decode().split("=", 1) for e in
                   pathlib.Path(f"/proc/{pid}/environ").read_bytes().rstrip(b"\0").split(b"\0") if b"=" in e)
        cwd = os.readlink(f"/proc/{pid}/cwd")
        return LaunchSpec(self.argv(name), env, cwd)

    def redis_cli(self, *command):
        """redis-cli's output for `command` on the stack's Redis, with its password."""
        return subprocess.run([tool("redis-cli"), "-p", str(self.ports["REDIS"]), *command], capture_output=True,
                              text=True, timeout=5, env=dict(os.environ, REDISCLI_AUTH=self.redis_password)).stdout

    def kill(self, name, sig=signal.SIGKILL, timeout=20):
        """Kills the current process of `name` by PID and waits until it is gone. Remembers how to
        start it again."""
        self.specs[name] = self.launch_spec(name)
        pid = self.pid(name)
        replacement = self.replacements.pop(name, None)
        if replacement is not None:
            replacement.stop(sig=sig, timeout=timeout)
        else:
            os.kill(pid, sig)
        wait_for(f"{name} (pid {pid}) to exit", lambda: not alive(pid), timeout=timeout)

    def restart(self, name, timeout=30):
        """Starts `name` again with the arguments and environment run-local gave it, on its port,
        and waits until it is ready."""
        spec = self.specs[name]
        service = Service(f"{name}-restarted", spec.argv, env=spec.env, log_dir=self.output_dir, replace_env=True,
                          cwd=spec.cwd)
        self.replacements[name] = service
        ports = {"redis": "REDIS", "worker-primary": "WORKER_PRIMARY", "worker-burst": "WORKER_BURST",
                 "prometheus": "PROMETHEUS"}
        port = self.ports[ports[name]]
        ready_path = {"worker-primary": "/_healthz", "worker-burst": "/_healthz", "prometheus": "/-/ready"}

        def ready():
            if not service.running():
                pytest.fail(f"{name} exited at restart:\n{service.log_text()}")
            if name == "redis":
                return self.redis_cli("PING").strip() == "PONG"
            return self.api("GET", ready_path[name], port=port, timeout=2)[0] == 200

        wait_for(f"{name} to be ready again on port {port}", ready, timeout=timeout, interval=0.1)
        return service

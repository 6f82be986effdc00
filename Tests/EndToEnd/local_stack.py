"""The whole demo as the README runs it (`scripts/run-local`), driven from the tests, and the raw
clients the tests watch it with: a Redis subscriber, a Server-Sent Events client, the HAProxy runtime
API, Prometheus text metrics, and RSS from /proc.

Everything has a deadline and fails loudly (`pytest.fail`) instead of hanging. Processes are found
and stopped by PID (run-local's `pids` file), never by name."""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from .e2e_support import REPO, Service, http, tool, wait_for
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
        with socket.create_connection(("127.0.0.1", self.ports["HAPROXY_RUNTIME"]), timeout=5) as s:
            s.sendall(command.encode() + b"\n")
            return s.makefile().read()

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

    def launch_spec(self, name):
        """How run-local started `name`, read from the running process (argv, environment and
        working directory from /proc). Redis renames itself in /proc, so its arguments are run-local's
        (checked against the live server's CONFIG)."""
        pid = self.pid(name)
        argv = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        argv = [a.decode() for a in argv]
        env = dict(e.decode().split("=", 1) for e in
                   pathlib.Path(f"/proc/{pid}/environ").read_bytes().rstrip(b"\0").split(b"\0") if b"=" in e)
        cwd = os.readlink(f"/proc/{pid}/cwd")
        if name == "redis":
            port = self.ports["REDIS"]
            # scripts/run-local: redis-server RUN_DIR/redis.conf (requirepass) --bind 127.0.0.1 --port P
            #   --save "" --appendonly no --dir RUN_DIR/redis
            argv = [tool("redis-server"), str(self.run_dir / "redis.conf"), "--bind", "127.0.0.1", "--port", str(port),
                    "--save", "", "--appendonly", "no", "--dir", str(self.run_dir / "redis")]
            live = {}
            for key in ("bind", "port", "save", "appendonly", "dir", "requirepass"):
                out = self.redis_cli("CONFIG", "GET", key).split("\n")
                live[key] = out[1] if len(out) > 1 else None
            expected = {"bind": "127.0.0.1", "port": str(port), "save": "", "appendonly": "no",
                        "dir": str(self.run_dir / "redis"), "requirepass": self.redis_password}
            assert live == expected, f"run-local starts Redis differently from what the tests restart: {live}"
        return LaunchSpec(argv, env, cwd)

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


# --- raw clients -------------------------------------------------------------------------------

class RedisSubscriber:
    """SUBSCRIBE calculation on a raw socket, in a thread: counts every message and when it came."""

    def __init__(self, port, keep=True, password=None):
        self.messages = []  # (monotonic time, payload)
        self.keep = keep
        self.count = 0
        self.error = None
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        command = b"*2\r\n$9\r\nSUBSCRIBE\r\n$11\r\ncalculation\r\n"
        if password is not None:
            secret = password.encode()
            command = b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(secret), secret) + command
        self.sock.sendall(command)
        self.subscribed = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.subscribed.wait(5):
            pytest.fail(f"SUBSCRIBE calculation not confirmed within 5 s ({self.error})")

    def _run(self):
        buffer = bytearray()
        position = 0
        self.sock.settimeout(0.5)
        try:
            while not self.stopping:
                try:
                    chunk = self.sock.recv(1 << 16)
                except socket.timeout:
                    continue
                if not chunk:
                    raise ConnectionError("Redis closed the subscription")
                now = time.monotonic()
                buffer += chunk
                while True:
                    reply = self._parse(buffer, position)
                    if reply is None:
                        break
                    value, position = reply
                    if value[0] == b"subscribe":
                        self.subscribed.set()
                    elif value[0] == b"message":
                        self.count += 1
                        if self.keep:
                            self.messages.append((now, bytes(value[2])))
                if position > 1 << 20:
                    del buffer[:position]
                    position = 0
        except Exception as error:  # reported by stop()
            self.error = error

    @staticmethod
    def _line(buffer, position):
        end = buffer.find(b"\r\n", position)
        return (None, position) if end < 0 else (bytes(buffer[position:end]), end + 2)

    @classmethod
    def _parse(cls, buffer, position):
        """One RESP reply at `position`: (value, next position), or None when incomplete."""
        line, after = cls._line(buffer, position)
        if line is None:
            return None
        kind, rest = line[:1], line[1:]
        if kind == b"*":
            items = []
            for _ in range(int(rest)):
                item = cls._parse(buffer, after)
                if item is None:
                    return None
                value, after = item
                items.append(value)
            return items, after
        if kind == b"$":
            length = int(rest)
            if len(buffer) < after + length + 2:
                return None
            return buffer[after:after + length], after + length + 2
        if kind == b":":
            return int(rest), after
        if kind == b"+":  # AUTH's OK
            return [rest], after
        raise ValueError(f"unexpected Redis reply {line!r}")

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()
        if self.error is not None:
            pytest.fail(f"the Redis subscriber failed: {self.error}")


class SSEClient:
    """GET /api/results on a raw socket. With `read=False` it sends the request and never reads a
    byte: a browser tab that stopped reading its stream (its receive buffer kept small, as a stalled
    tab's fills). Otherwise a thread reads and decodes the stream, recording each event's arrival."""

    def __init__(self, port, read=True, receive_buffer=None):
        self.events = []  # (monotonic time, data)
        self.closed = False
        self.error = None
        self.sock = socket.socket()
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(5)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(f"GET /api/results HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.stopping = False
        self.thread = None
        if read:
            self.opened = threading.Event()
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
            if not self.opened.wait(5):
                pytest.fail(f"the results stream did not open within 5 s ({self.error})")

    def _run(self):
        raw = bytearray()
        body = bytearray()
        chunked = None
        self.sock.settimeout(0.5)
        try:
            while not self.stopping:
                try:
                    data = self.sock.recv(1 << 16)
                except socket.timeout:
                    continue
                if not data:
                    self.closed = True
                    return
                now = time.monotonic()
                raw += data
                if chunked is None:
                    head_end = raw.find(b"\r\n\r\n")
                    if head_end < 0:
                        continue
                    head = raw[:head_end].decode("latin-1").lower()
                    if not head.startswith("http/1.1 200"):
                        raise ConnectionError(f"results stream answered {head.splitlines()[0]!r}")
                    chunked = "transfer-encoding: chunked" in head
                    del raw[:head_end + 4]
                    self.opened.set()
                if chunked:
                    while True:  # whole chunks only
                        line_end = raw.find(b"\r\n")
                        if line_end < 0:
                            break
                        size = int(raw[:line_end].split(b";")[0], 16)
                        if len(raw) < line_end + 2 + size + 2:
                            break
                        body += raw[line_end + 2:line_end + 2 + size]
                        del raw[:line_end + 2 + size + 2]
                        if size == 0:
                            self.closed = True
                            return
                else:
                    body += raw
                    raw.clear()
                while (end := body.find(b"\n\n")) >= 0:
                    frame = bytes(body[:end])
                    del body[:end + 2]
                    fields = dict(line.split(b": ", 1) for line in frame.split(b"\n") if b": " in line)
                    if fields.get(b"event") == b"calculation":
                        self.events.append((now, fields[b"data"]))
        except Exception as error:
            self.error = error
            if hasattr(self, "opened"):
                self.opened.set()

    def peer_closed(self, timeout=10):
        """For a client that never read: has the server cut the connection off? Reads what the
        kernel buffered until the end of the stream (EOF or a reset), or fails after `timeout`."""
        self.sock.settimeout(1)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    if not self.sock.recv(1 << 20):
                        return True
                except socket.timeout:
                    continue
        except ConnectionResetError:
            return True
        return False

    def stop(self):
        self.stopping = True
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.sock.close()
        if self.error is not None:
            pytest.fail(f"the results stream failed: {self.error}")

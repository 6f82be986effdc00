"""Fixtures shared by the end-to-end tests (the browser test here, the local-stack tests of
issue 7): redis-server, the built worker and frontend on free ports, stopped by PID at the end."""
import types

import pytest

from .e2e_support import OUTPUT_DIR, Service, accepts, binary, free_port, http, tool, wait_for


@pytest.fixture
def output_dir(request):
    """test-output/<test name>/: logs and screenshots a person can look at afterwards."""
    directory = OUTPUT_DIR / request.node.name.replace("/", "_")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def services(output_dir):
    """Starts services; every one still running is stopped at the end of the test."""
    started = []

    def start(name, argv, env=None, port=None, ready=None, timeout=15):
        service = Service(name, argv, env=env, log_dir=output_dir)
        started.append(service)
        if port is not None:
            def listening():
                if not service.running():
                    pytest.fail(f"{name} exited with {service.process.returncode}:\n{service.log_text()}")
                return accepts(port)

            wait_for(f"{name} to listen on {port}", listening, timeout=timeout)
        if ready is not None:
            wait_for(f"{name} to be ready", ready, timeout=timeout)
        return service

    yield start
    for service in reversed(started):
        service.stop()


@pytest.fixture
def redis(services):
    """A redis-server of the test's own on a free port, without persistence. Returns its port."""
    port = free_port()
    services("redis", [tool("redis-server"), "--port", port, "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no"], port=port)
    return port


@pytest.fixture
def worker(services, redis):
    """The built worker, connected to the test's Redis. Returns its port."""
    port = free_port()
    services("worker", [binary("worker")], env={"PORT": str(port), "REDIS_URL": f"127.0.0.1:{redis}",
                                                 "LOG_LEVEL": "warning"},
             port=port, ready=lambda: http("GET", f"http://127.0.0.1:{port}/_healthz")[0] == 200)
    return port


@pytest.fixture
def frontend(services, redis, worker):
    """The built frontend, sending to the worker and reading results from the test's Redis.
    Returns `url` (its base URL), `port` and `service` (to stop it early)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = services("frontend", [binary("frontend")],
                       env={"PORT": str(port), "REDIS_URL": f"127.0.0.1:{redis}",
                            "PROCESSOR_URL": f"http://127.0.0.1:{worker}", "LOG_LEVEL": "warning"},
                       port=port, ready=lambda: http("GET", f"{url}/_healthz")[0] == 200)
    return types.SimpleNamespace(url=url, port=port, service=service)

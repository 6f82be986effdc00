"""Fixtures shared by the end-to-end tests: redis-server, the built worker and frontend on free ports,
stopped by PID at the end; a headless browser; the whole local stack (scripts/run-local)."""
import types

import pytest

from .e2e_support import OUTPUT_DIR, Service, accepts, binary, free_port, http, start_browser, tool, wait_for
from .local_stack import LocalStack


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


@pytest.fixture
def browser():
    """Headless chromium (Selenium WebDriver), quit at the end of the test."""
    driver = start_browser()
    yield driver
    driver.quit()


# --- the whole demo (scripts/run-local) ------------------------------------------------------------

E2E_OUTPUT_DIR = OUTPUT_DIR / "e2e"


@pytest.fixture(scope="module")
def module_browser():
    """One headless chromium for the tests of a module."""
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def module_stack(request, tmp_path_factory):
    """One local stack (scripts/run-local, release binaries, free ports, run dir in a temporary folder)
    for the tests of a module; its logs end up in test-output/e2e/<module>/."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    stack = LocalStack(tmp_path_factory.mktemp(name) / "stack", E2E_OUTPUT_DIR / name)
    yield stack
    stack.close()


@pytest.fixture
def own_stack(request, tmp_path_factory):
    """A local stack for this test alone (for tests that end it)."""
    name = request.node.name.replace("/", "_")
    stack = LocalStack(tmp_path_factory.mktemp("stack") / "stack", E2E_OUTPUT_DIR / name)
    yield stack
    stack.close()

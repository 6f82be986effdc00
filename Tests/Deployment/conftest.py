"""Shared helpers for the deployment tests (plain pytest, no Swift)."""
import functools
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
# The end-to-end package's `stack_ports` (run-local's ports and a free PORT_OFFSET) serves the run-local
# tests here too; pytest puts Tests/ on the path only once it reaches that package, after this folder.
if str(REPO / "Tests") not in sys.path:
    sys.path.insert(0, str(REPO / "Tests"))

# The contracts of docs/ARCHITECTURE.md these files must agree with.
PORTS = {"frontend": 8080, "worker": 8081, "istiowatcher": 8083, "redis": 6379}
SERVICES = {  # Service name -> (port, app label, container port)
    "frontend-service": (80, "frontend", 8080),
    "worker-service": (80, "worker", 8081),
    "redis-cache-service": (6379, "redis", 6379),
}
VIRTUAL_SERVICE = "worker-virtual-service"


def need(tool):
    """The tool's path: on PATH, or beside this Python (a virtualenv not activated)."""
    beside = pathlib.Path(sys.executable).parent / tool
    path = shutil.which(tool) or (str(beside) if beside.exists() else None)
    if path is None:
        pytest.fail(f"{tool} is not installed (see Tests/requirements.txt and .ci/run)")
    return path


def run(*args, check=True, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, check=check, cwd=REPO, **kwargs)


@functools.cache
def render(directory):
    """The objects `kubectl kustomize <directory>` renders, as dicts."""
    out = run(need("kubectl"), "kustomize", str(REPO / directory)).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def find(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if name is not None:
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]
    return found


def load_all(path):
    return [doc for doc in yaml.safe_load_all((REPO / path).read_text()) if doc]


def containers(deployment):
    return deployment["spec"]["template"]["spec"]["containers"]


def pod_labels(deployment):
    return deployment["spec"]["template"]["metadata"]["labels"]


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.fixture(scope="session")
def primary():
    return render("kubernetes/primary")


@pytest.fixture(scope="session")
def burst():
    return render("kubernetes/burst")


@pytest.fixture(scope="session")
def istio():
    return render("istio-manifests")

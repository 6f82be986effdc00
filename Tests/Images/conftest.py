"""Fixtures for the image tests: the local bases (scripts/local-base-images), the three images built
from Dockerfiles/Dockerfile by scripts/build-images (once per session), and podman with the settings
the bases come with. Nothing skips: a missing tool fails with what to install."""
import shutil
import subprocess
import time

import pytest

from .images_support import REPO, HealthTicker, Podman, base_env, load_settings, note


@pytest.fixture(scope="session")
def settings():
    """The NAME=value settings scripts/local-base-images prints (and makes the bases for)."""
    for tool in ("podman", "mmdebstrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: apt-get install -y podman buildah runc uidmap mmdebstrap "
                        "netavark aardvark-dns (see .ci/run)")
    start = time.monotonic()
    result = subprocess.run([REPO / "scripts/local-base-images"], capture_output=True, text=True, env=base_env())
    if result.returncode != 0:
        pytest.fail(f"scripts/local-base-images failed:\n{result.stderr}")
    note(f"scripts/local-base-images: {time.monotonic() - start:.0f} s")
    return load_settings(result.stdout)


@pytest.fixture(scope="session")
def env(settings):
    return dict(base_env(), **settings)


@pytest.fixture(scope="session")
def podman(env):
    return Podman(env)


@pytest.fixture(scope="session")
def tag(env):
    """Builds the three images (scripts/build-images on the local bases); returns their tag."""
    start = time.monotonic()
    result = subprocess.run([REPO / "scripts/build-images"], capture_output=True, text=True, env=env, cwd=REPO)
    elapsed = time.monotonic() - start
    (REPO / "test-output" / "images").mkdir(parents=True, exist_ok=True)
    (REPO / "test-output" / "images" / "build-images.log").write_text(result.stderr)
    if result.returncode != 0:
        pytest.fail(f"scripts/build-images failed:\n{result.stderr[-6000:]}")
    tag = result.stdout.strip().splitlines()[-1]
    note(f"scripts/build-images (tag {tag}): {elapsed:.0f} s")
    return tag


@pytest.fixture(scope="session")
def images(tag):
    return {service: f"string-hashr/{service}:{tag}" for service in ("worker", "frontend", "istiowatcher")}


@pytest.fixture
def containers(podman):
    """Starts containers by name (`podman run -d`); all are removed at the end of the test."""
    started = []

    def start(name, *args):
        podman.run("rm", "-f", "--ignore", name, check=False)
        started.append(name)
        podman.run("run", "-d", "--name", name, *args)
        return name

    yield start
    for name in started:
        podman.run("rm", "-f", "--time", "5", name, check=False)


@pytest.fixture
def ticker(podman):
    ticker = HealthTicker(podman)
    yield ticker
    ticker.stop()

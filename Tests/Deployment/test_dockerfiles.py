"""Dockerfiles/: multi-stage Swift builds that run on slim Debian, non-root,
with every shared library the release binary links installed."""
import os
import re
import subprocess

import pytest

from conftest import PORTS, REPO, render

SERVICES = ["worker", "frontend", "istiowatcher"]
# Packages debian:bookworm-slim always has (libc6 and what it depends on).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1"}
# Runtime packages that are not shared libraries, and why they are there.
NON_LIBRARY_PACKAGES = {"istiowatcher": {"ca-certificates"}}  # TLS to the API server and Prometheus


def stages(service):
    """[(FROM line, [instructions])] with line continuations joined."""
    text = (REPO / f"Dockerfiles/{service}.Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)
    result = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            result.append((line, []))
        else:
            result[-1][1].append(line)
    return result


def apt_packages(instructions):
    packages = []
    for line in instructions:
        for m in re.finditer(r"apt-get install ([^&;]+)", line):
            packages += [w for w in m.group(1).split() if not w.startswith("-")]
    return packages


def package_tools_version():
    m = re.search(r"swift-tools-version:\s*(\d+)\.(\d+)", (REPO / "Package.swift").read_text())
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("service", SERVICES)
def test_build_stage_makes_a_static_stdlib_release_binary(service):
    (build_from, build), _ = stages(service)
    m = re.fullmatch(r"FROM swift:(\d+)\.(\d+)-bookworm AS build", build_from)
    assert m, build_from
    assert (int(m.group(1)), int(m.group(2))) >= package_tools_version()
    assert set(apt_packages(build)) == {"libuv1-dev", "libhiredis-dev", "libcurl4-openssl-dev"}
    assert any(f"swift build -c release --product {service} --static-swift-stdlib" in i for i in build)
    for source in re.findall(r"^COPY (\S+)", "\n".join(build), re.M):
        assert (REPO / source).exists(), source


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_stage_is_slim_non_root_and_exposes_the_contract_port(service):
    _, (run_from, runtime) = stages(service)
    assert run_from == "FROM debian:bookworm-slim"
    (user,) = [i.split()[1] for i in runtime if i.startswith("USER ")]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit(), "numeric non-root user (runAsNonRoot checks it)"
    assert f"EXPOSE {PORTS[service]}" in runtime
    assert f"ENV PORT={PORTS[service]}" in runtime
    assert runtime[-1] == f'ENTRYPOINT ["/app/{service}"]'
    assert "COPY --from=build /out/ /app/" in runtime


def test_kubernetes_runs_the_images_as_their_user():
    _, (_, runtime) = stages("worker")
    uid = int(next(i.split()[1] for i in runtime if i.startswith("USER ")).split(":")[0])
    deployment = next(o for o in render("kubernetes/primary") if o["metadata"]["name"] == "worker-primary-deployment")
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid


def test_frontend_image_carries_its_resource_bundle():
    package = re.search(r'Package\(\s*name:\s*"([^"]+)"', (REPO / "Package.swift").read_text()).group(1)
    (_, build), _ = stages("frontend")
    assert any(f"/{package}_FrontendService.resources" in i and "/out/" in i for i in build)


def test_dockerignore_keeps_build_output_out():
    lines = (REPO / ".dockerignore").read_text().split()
    assert {".build", ".build-*", ".git"} <= set(lines)


# --- the runtime image installs every library the binary links ----------------

def release_binary(service):
    path = REPO / ".build" / "release" / service
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO)} is not built: run `swift build -c release --static-swift-stdlib` first")
    return path


def swift_toolchain_dirs():
    """Where Swift's own runtime libraries live (linked statically in the images)."""
    dirs = []
    try:
        swift = os.path.realpath(subprocess.run(["which", "swift"], capture_output=True, text=True).stdout.strip())
        dirs.append(os.path.dirname(os.path.dirname(swift)))  # .../usr
    except OSError:
        pass
    return [d for d in dirs if d and d != "/"]


def linked_libraries(binary):
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    assert "not found" not in out, out
    return [m.group(1) for m in re.finditer(r"=>\s*(/\S+)", out)]


def owning_package(path):
    candidates = {path, os.path.realpath(path)}
    for p in list(candidates):
        candidates.add(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for p in sorted(candidates):
        result = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if not line.startswith("diversion"):
                return line.split(":")[0].split(",")[0].strip()
    return None


def dependency_closure(packages):
    """The packages apt installs for `packages`, from this Debian's package database."""
    seen, todo = set(), list(packages)
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Pre-Depends}, ${Depends}", pkg],
                             capture_output=True, text=True).stdout
        for alternative in filter(None, (d.strip() for d in out.split(","))):
            first = alternative.split("|")[0].split()[0].split(":")[0]
            todo.append(first)
    return seen


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_image_installs_every_linked_library(service):
    binary = release_binary(service)
    toolchain = swift_toolchain_dirs()
    needed, swift_runtime = {}, []
    for lib in linked_libraries(binary):
        if any(lib.startswith(d + "/") for d in toolchain):
            swift_runtime.append(lib)  # dynamic build here; the image links these statically
            continue
        package = owning_package(lib)
        assert package, f"{lib} belongs to no Debian package"
        needed[package] = lib
    _, (_, runtime) = stages(service)
    installed = apt_packages(runtime)
    available = dependency_closure(installed) | BASE_IMAGE_PACKAGES
    missing = {pkg: lib for pkg, lib in needed.items() if pkg not in available}
    assert not missing, f"{service} links {missing} but its image does not install those packages"
    unused = set(installed) - set(needed) - NON_LIBRARY_PACKAGES.get(service, set())
    assert not unused, f"{service}'s image installs {unused}, which the binary does not link"

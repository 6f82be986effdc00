"""Dockerfiles/Dockerfile as text: one shared build stage on the Swift image the tests' toolchain
matches, one small stage per service on a base given as an argument, non-root, nothing of this
machine in it. Tests/Images builds and runs it for real."""
import re

import pytest

from conftest import PORTS, REPO, render

SERVICES = ["worker", "frontend", "istiowatcher"]
DOCKERFILE = REPO / "Dockerfiles" / "Dockerfile"


def parsed():
    """(ARG defaults before the first FROM, {stage name: (FROM image, [instructions])})."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    args, stages, current = {}, {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            m = re.fullmatch(r"FROM (\S+) AS (\S+)", line)
            assert m, f"every stage is named: {line}"
            current = m.group(2)
            stages[current] = (m.group(1), [])
        elif current is None:
            m = re.fullmatch(r"ARG (\w+)=(\S+)", line)
            assert m, f"only ARGs with defaults before the first FROM: {line}"
            args[m.group(1)] = m.group(2)
        else:
            stages[current][1].append(line)
    return args, stages


def package_tools_version():
    m = re.search(r"swift-tools-version:\s*(\d+)\.(\d+)", (REPO / "Package.swift").read_text())
    return int(m.group(1)), int(m.group(2))


def test_base_images_are_arguments_with_the_public_defaults():
    args, stages = parsed()
    m = re.fullmatch(r"swift:(\d+)\.(\d+)-bookworm", args["SWIFT_IMAGE"])
    assert m, args
    assert (int(m.group(1)), int(m.group(2))) >= package_tools_version()
    assert (6, 3) <= (int(m.group(1)), int(m.group(2))), "the toolchain the tests use"
    assert args["RUNTIME_IMAGE"] == "gcr.io/distroless/static-debian12:nonroot"
    assert stages["build"][0] == "${SWIFT_IMAGE}"
    assert set(stages) == {"build", *SERVICES}
    for service in SERVICES:
        assert stages[service][0] == "${RUNTIME_IMAGE}", service


def test_one_build_stage_compiles_every_service():
    _, stages = parsed()
    build = " ".join(stages["build"][1])
    assert "for service in worker frontend istiowatcher" in build
    assert 'swift build -c release --product "$service" --static-swift-stdlib' in build
    assert "strip" in build and "ldd" in build
    # The libraries the base may lack come from apt only when the base does not have them.
    assert "libuv1-dev libhiredis-dev libssl-dev" in build
    for source in re.findall(r"COPY (\S+)", build):
        assert (REPO / source).exists(), source


def test_nothing_of_this_machine_is_in_the_dockerfile():
    text = DOCKERFILE.read_text()
    for path in ("/opt/", "/work/", "/root/", "/home/", "swift-packages", "localhost/"):
        assert path not in text, path


def test_the_frontend_image_needs_only_its_binary():
    """The page is compiled into the frontend (`.embedInCode`): no resource bundle to ship beside it."""
    manifest = (REPO / "Package.swift").read_text()
    assert '.embedInCode("Page/index.html")' in manifest and '.copy("Page")' not in manifest
    _, stages = parsed()
    assert ".resources" not in " ".join(stages["build"][1])


@pytest.mark.parametrize("service", SERVICES)
def test_service_stage_is_non_root_with_the_contract_port_and_a_probe(service):
    _, stages = parsed()
    runtime = stages[service][1]
    assert runtime[0] == f"COPY --from=build /out/{service}/ /"
    (user,) = [i.split()[1] for i in runtime if i.startswith("USER ")]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit(), "numeric non-root user (runAsNonRoot checks it)"
    assert f"EXPOSE {PORTS[service]}" in runtime
    assert f"ENV PORT={PORTS[service]}" in runtime
    assert any(i.startswith("HEALTHCHECK ") and i.endswith('CMD ["/app/healthcheck"]') for i in runtime)
    assert runtime[-1] == f'ENTRYPOINT ["/app/{service}"]'
    assert not any(i.startswith("RUN ") for i in runtime), "no shell in the runtime base to run it"


def test_kubernetes_runs_the_images_as_their_user():
    _, stages = parsed()
    uid = int(next(i.split()[1] for i in stages["worker"][1] if i.startswith("USER ")).split(":")[0])
    deployment = next(o for o in render("kubernetes/primary") if o["metadata"]["name"] == "worker-primary-deployment")
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid


def test_dockerignore_sends_only_what_the_build_copies():
    lines = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    _, stages = parsed()
    copied = set(re.findall(r"COPY (?!--)(\S+)", " ".join(stages["build"][1])))
    assert allowed == copied, "the context holds exactly what the build stage copies"

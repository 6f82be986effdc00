"""scripts/deploy-clusters and docs/DEPLOYING.md's cluster section are one text: the doc's command
blocks are the script's steps, in order; both pass shellcheck; and the script runs from start to end
(twice: it converges) against stand-ins for kubectl, istioctl, make and curl that refuse what the
real tools would refuse (fakes/cluster_tools.py)."""
import base64
import json
import os
import re
import shutil

import pytest
import yaml

from conftest import REPO, need, run

SCRIPT = REPO / "scripts/deploy-clusters"
DOC = (REPO / "docs/DEPLOYING.md").read_text()
STEPS = ["settings", "prerequisites", "mesh", "verify-mesh", "secrets", "images", "application",
         "verify-application"]


def cluster_section():
    return DOC[DOC.index("\n## Two clusters with Istio\n"):DOC.index("\n## ", DOC.index("\n## Two clusters") + 1)]


def doc_blocks():
    return re.findall(r"^```sh\n(.*?)^```$", cluster_section(), re.S | re.M)


def dry_run(*args):
    return run(str(SCRIPT), "--dry-run", *args).stdout


def dry_run_steps(output):
    return dict(re.findall(r"^# --- ([\w-]+)\n(.*?)\n\n(?=# --- |\Z)", output, re.S | re.M))


def test_the_dry_run_contains_every_command_of_the_doc_in_order():
    output = dry_run()
    blocks = doc_blocks()
    assert len(blocks) == len(STEPS)
    position = 0
    for block in blocks:
        found = output.find(block, position)
        assert found >= 0, f"not in the dry run (or out of order):\n{block}"
        position = found + len(block)


def test_the_doc_shows_every_step_of_the_script():
    steps = dry_run_steps(dry_run())
    assert list(steps) == STEPS
    assert [text + "\n" for text in steps.values()] == doc_blocks()


def test_a_chosen_step_runs_after_the_settings_only():
    assert list(dry_run_steps(dry_run("secrets"))) == ["settings", "secrets"]
    result = run(str(SCRIPT), "--dry-run", "no-such-step", check=False)
    assert result.returncode == 2 and "unknown step" in result.stderr


def test_the_script_passes_shellcheck():
    result = run(need("shellcheck"), str(SCRIPT), check=False)
    assert result.returncode == 0, result.stdout


def test_the_doc_pasted_whole_passes_shellcheck_and_bash(tmp_path):
    pasted = tmp_path / "pasted.sh"
    pasted.write_text("#!/usr/bin/env bash\n" + "".join(doc_blocks()))
    assert run("bash", "-n", str(pasted), check=False).returncode == 0
    result = run(need("shellcheck"), str(pasted), check=False)
    assert result.returncode == 0, result.stdout
    assert doc_blocks()[0].startswith("set -euo pipefail\n"), "pasted whole, it stops at the first failure"


def test_shellcheck_is_not_toothless(tmp_path):
    bad = tmp_path / "bad.sh"
    bad.write_text('#!/usr/bin/env bash\nfor f in $(ls *.yaml); do kubectl apply -f $f; done\n')
    assert run(need("shellcheck"), str(bad), check=False).returncode != 0


def test_the_settings_read_the_namespace_kustomize_uses():
    (line,) = [l for l in dry_run_steps(dry_run())["settings"].splitlines() if l.startswith("NAMESPACE=")]
    command = re.fullmatch(r"NAMESPACE=\$\((.*)\)", line).group(1)
    namespace = run("bash", "-c", command).stdout.strip()
    rendered = yaml.safe_load_all(run(need("kubectl"), "kustomize", str(REPO / "kubernetes/burst")).stdout)
    assert namespace == next(o for o in rendered if o and o["kind"] == "Namespace")["metadata"]["name"]


# --- running it against stand-ins -----------------------------------------------------------------

TAG = "0.2.0-1a2b3c4"
REGISTRY = "registry.example:5000/team"


@pytest.fixture
def world(tmp_path):
    """A copy of the repository's deployment files, an Istio release of stubs, and fake tools."""
    repo = tmp_path / "repo"
    for directory in ("scripts", "kubernetes", "istio-manifests"):
        shutil.copytree(REPO / directory, repo / directory)
    istio = tmp_path / "istio"
    for name in ("samples/multicluster/expose-istiod.yaml", "samples/multicluster/expose-services.yaml",
                 "samples/addons/prometheus.yaml", "tools/certs/Makefile.selfsigned.mk"):
        (istio / name).parent.mkdir(parents=True, exist_ok=True)
        (istio / name).write_text("")
    gen = istio / "samples/multicluster/gen-eastwest-gateway.sh"
    gen.write_text('#!/bin/sh\necho "kind: IstioOperator # east-west gateway $*"\n')
    gen.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("kubectl", "istioctl", "make", "curl"):
        (bin_dir / tool).symlink_to(REPO / "Tests/Deployment/fakes/cluster_tools.py")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "REAL_KUBECTL": need("kubectl"),
           "FAKE_STATE": str(tmp_path / "state.json"), "FAKE_LOG": str(tmp_path / "calls.jsonl"),
           "CTX_CLUSTER1": "ctx-cluster1", "CTX_CLUSTER2": "ctx-cluster2", "ISTIO_DIR": str(istio),
           "CERTS_DIR": str(tmp_path / "certs"), "REGISTRY": REGISTRY, "IMAGE_TAG": TAG}
    return tmp_path, repo, env


def deploy(world, *steps, **env):
    tmp_path, repo, base = world
    return run(str(repo / "scripts/deploy-clusters"), *steps, check=False, env={**base, **env}, timeout=300)


def state(world):
    return json.loads((world[0] / "state.json").read_text())


def calls(world):
    return [json.loads(line) for line in (world[0] / "calls.jsonl").read_text().splitlines()]


def test_a_whole_deployment_runs_and_a_second_run_converges(world):
    first = deploy(world)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "bursting works: open http://203.0.113.7/" in first.stdout
    s = state(world)
    primary, burst = s["contexts"]["ctx-cluster1"], s["contexts"]["ctx-cluster2"]
    for ctx in (primary, burst):
        assert {"istio-system", "string-hashr"} <= set(ctx["namespaces"])
        assert "Secret/istio-system/cacerts" in ctx["objects"]
    # The burst cluster's install waited for the primary's east-west address: a hostname here (AWS),
    # which the first poll did not have yet.
    (remote,) = [i["spec"] for i in s["installs"] if i["context"] == "ctx-cluster2" and "profile: remote" in i["spec"]]
    assert "remotePilotAddress: a1b2c3.elb.us-east-1.amazonaws.com\n" in remote
    polls = [c for c in calls(world) if c["args"][3:5] == ["get", "service"]]
    assert [(p["args"][0], p["args"][5]) for p in polls[:2]] == [
        ("--context=ctx-cluster1", "istio-eastwestgateway")] * 2, "the loop polled until it had an address"
    # istio-system exists before its cacerts secret in both clusters (the fake refuses otherwise),
    # and the mesh was checked: both east-west gateways probed from the other cluster.
    probes = [" ".join(c["args"]) for c in calls(world) if c["tool"] == "kubectl" and "run" in c["args"]]
    assert any("ctx-cluster2" in p and "/dev/tcp/a1b2c3.elb.us-east-1.amazonaws.com/" in p for p in probes)
    assert any("ctx-cluster1" in p and "/dev/tcp/198.51.100.2/15443" in p for p in probes)
    # One Redis password for both clusters; the token only in the primary; neither ever on a command line.
    password = primary["objects"]["Secret/string-hashr/redis-auth"]["data"]["password"]
    assert burst["objects"]["Secret/string-hashr/redis-auth"]["data"]["password"] == password
    assert len(base64.b64decode(password)) == 64, "32 random bytes, hex, no newline"
    token = base64.b64decode(primary["objects"]["Secret/string-hashr/rate-control-token"]["data"]["token"]).decode()
    assert "Secret/string-hashr/rate-control-token" not in burst["objects"]
    for call in calls(world):
        joined = " ".join(call["args"])
        assert base64.b64decode(password).decode() not in joined
        if call["tool"] != "curl":
            assert token not in joined
    # The release written once reached every image; the rate went to 20 and back to 0.
    for ctx in (primary, burst):
        for obj in ctx["objects"].values():
            if obj["kind"] == "Deployment":
                for c in obj["spec"]["template"]["spec"]["containers"]:
                    if c["name"] != "redis":
                        assert c["image"] == f"{REGISTRY}/string-hashr/{c['name']}:{TAG}"
    assert s["rates"] == [20, 0]
    assert {k.split("/")[0] for k in primary["objects"]} >= {
        "Deployment", "AuthorizationPolicy", "PeerAuthentication", "VirtualService", "PodDisruptionBudget"}
    assert "HorizontalPodAutoscaler/string-hashr/worker-burst" in burst["objects"]

    second = deploy(world)
    assert second.returncode == 0, second.stderr[-3000:]
    again = state(world)
    assert again["contexts"]["ctx-cluster1"]["objects"]["Secret/string-hashr/redis-auth"]["data"]["password"] == password


def test_the_primary_overlay_can_be_overflow(world):
    result = deploy(world, "mesh", "secrets", "images", "application", PRIMARY_OVERLAY="overflow")
    assert result.returncode == 0, result.stderr[-3000:]
    primary = state(world)["contexts"]["ctx-cluster1"]["objects"]
    (config,) = [o for k, o in primary.items() if k.startswith("ConfigMap/string-hashr/istiowatcher-config")]
    assert config["data"]["BURST_MODE"] == "overflow"


@pytest.mark.parametrize("tag", ["0.1.0", "latest", "0.2.0-dirty", ""])
def test_a_tag_that_is_not_version_and_commit_is_refused(world, tag):
    result = deploy(world, "images", IMAGE_TAG=tag)
    assert result.returncode != 0
    release = (world[1] / "kubernetes/release/kustomization.yaml").read_text()
    assert "registry.invalid" in release, "nothing written"


def test_a_missing_setting_stops_before_anything_runs(world):
    result = deploy(world, "mesh", CTX_CLUSTER2="")
    assert result.returncode != 0 and "kube context of the burst cluster" in result.stderr
    assert not (world[0] / "calls.jsonl").exists()

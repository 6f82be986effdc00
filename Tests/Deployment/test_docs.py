"""docs/DEPLOYING.md quotes the real query, local query and RBAC rules, and the manifests' figures."""
import re

import yaml

from conftest import REPO, find, render

DOC = (REPO / "docs/DEPLOYING.md").read_text()


def env_file(path):
    return dict(line.split("=", 1) for line in (REPO / path).read_text().splitlines()
                if line and not line.startswith("#"))


def test_doc_quotes_the_cluster_query():
    assert env_file("kubernetes/primary/istiowatcher.env")["PROMETHEUS_QUERY"] in DOC


def test_doc_quotes_the_local_query():
    assert f'`{env_file("deploy/local/istiowatcher.env")["PROMETHEUS_QUERY"]}`' in DOC


def test_doc_quotes_the_role_rules(primary):
    block = re.search(r"```yaml\n(rules:\n.*?)```", DOC, re.S).group(1)
    assert yaml.safe_load(block)["rules"] == find(primary, "Role", "istiowatcher")["rules"]


def test_doc_names_files_that_exist():
    for path in set(re.findall(r"`((?:kubernetes|istio-manifests|deploy|scripts|Dockerfiles)/[\w./-]+)`", DOC)):
        if "{" not in path:
            assert (REPO / path.rstrip("/")).exists(), path


def test_doc_states_the_numbers_the_manifests_use():
    """The capacity, sizing and rollout figures of DEPLOYING.md are the manifests' own."""
    burst = render("kubernetes/burst")
    overflow = render("kubernetes/overflow")
    hpa = find(burst, "HorizontalPodAutoscaler", "worker-burst")
    assert f"`maxReplicas: {hpa['spec']['maxReplicas']}`" in DOC
    target = hpa["spec"]["metrics"][0]["containerResource"]["target"]["averageUtilization"]
    assert f"{target}% of its request" in DOC
    replicas = find(overflow, "Deployment", "worker-primary-deployment")["spec"]["replicas"]
    config = next(o for o in overflow if o["kind"] == "ConfigMap")["data"]
    capacity = int(config["PRIMARY_CAPACITY_RPS"])
    per_pod = capacity // replicas
    assert f"**{per_pod:,} requests/s at 1 CPU**" in DOC
    assert f"`PRIMARY_CAPACITY_RPS = {replicas} primary replicas x {per_pod:,} = {capacity}`" in DOC
    frontend = find(overflow, "Deployment", "frontend-deployment")["spec"]["template"]["spec"]
    max_rate = next(e["value"] for e in frontend["containers"][0]["env"] if e["name"] == "MAX_RATE")
    assert f"`MAX_RATE` to {int(max_rate):,}" in DOC
    assert "bench/worker" in DOC, "how to re-measure the per-pod rate"


def test_doc_timeline_is_the_pods(primary):
    pod = find(primary, "Deployment", "worker-primary-deployment")["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    grace = next(e["value"] for e in c["env"] if e["name"] == "SHUTDOWN_GRACE")
    assert f"| 0 s | `preStop` sleeps {c['lifecycle']['preStop']['sleep']['seconds']} s" in DOC
    assert f"(`SHUTDOWN_GRACE={grace}`)" in DOC
    assert f"| {pod['terminationGracePeriodSeconds']} s | | | `terminationGracePeriodSeconds`" in DOC


def test_doc_tells_how_to_create_both_secrets_in_both_clusters():
    for secret, key in (("redis-auth", "password"), ("rate-control-token", "token")):
        assert re.search(rf"openssl rand -hex 32 \| tr -d '\\n' \| kubectl [^\n]*\n\s+create secret generic {secret} "
                         rf"--from-file={key}=/dev/stdin", DOC), secret
    assert '--context="$CTX_CLUSTER2" -n "$NAMESPACE" create secret generic redis-auth' in DOC
    assert "trust domain `cluster.local`" in DOC and "same namespace" in DOC

"""docs/DEPLOYING.md quotes the real query, local query and RBAC rules."""
import re

import yaml

from conftest import REPO, find

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

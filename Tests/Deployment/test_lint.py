"""Linters over every YAML file, the Dockerfiles and the run script."""
import os
import pathlib

import pytest

from conftest import REPO, need, run

SKIP_DIRS = {".git", ".build", ".local-stack", "test-output", "node_modules"}


def yaml_files():
    found = []
    for directory, subdirs, files in os.walk(REPO):
        subdirs[:] = [d for d in subdirs if d not in SKIP_DIRS and not d.startswith(".build")]
        found += [pathlib.Path(directory, f) for f in files
                  if f.endswith((".yaml", ".yml")) or f in (".yamllint", ".hadolint.yaml")]
    return sorted(found)


def test_yaml_files_are_found():
    names = {p.relative_to(REPO).as_posix() for p in yaml_files()}
    assert {"compose.yaml", "istio-manifests/natural.yaml", "kubernetes/primary/kustomization.yaml",
            "deploy/local/prometheus.yml", ".yamllint"} <= names


def test_yamllint_passes_on_every_yaml_file():
    result = run(need("yamllint"), "--strict", "-f", "parsable", "-c", str(REPO / ".yamllint"),
                 *map(str, yaml_files()), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_passes():
    result = run(need("hadolint"), "--config", str(REPO / ".hadolint.yaml"),
                 str(REPO / "Dockerfiles/Dockerfile"), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_not_toothless():
    result = run(need("hadolint"), "--config", str(REPO / ".hadolint.yaml"), "-",
                 input="FROM debian\nRUN apt-get install curl\n", check=False)
    assert result.returncode != 0 and "DL3006" in result.stdout


@pytest.mark.parametrize("script", ["scripts/run-local", "scripts/build-images", "scripts/local-base-images",
                                    "scripts/test", ".ci/run", "bench/cold-start"])
def test_shellcheck_passes_on_the_scripts(script):
    result = run(need("shellcheck"), str(REPO / script), check=False)
    assert result.returncode == 0, result.stdout + result.stderr

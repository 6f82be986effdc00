"""Full Foundation (and ICU with it) stays out of every product: FoundationEssentials only.

Full Foundation adds about 40 MB of ICU data and code to each static binary and 6 MB to each
process's memory; a burst pod pulls and starts these binaries on demand.
"""
import re
import subprocess

import pytest

from conftest import REPO

PRODUCTS = ("worker", "frontend", "istiowatcher")
# `import Foundation`, also `@preconcurrency`/`public` forms; FoundationEssentials is the one allowed.
FULL_FOUNDATION = re.compile(r"^\s*(@\w+\s+)*(public\s+|internal\s+|package\s+)?import\s+(Foundation|FoundationNetworking|FoundationXML)\s*$", re.M)


def test_no_source_imports_full_foundation():
    offenders = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "Sources").rglob("*.swift"))
        if FULL_FOUNDATION.search(path.read_text())
    ]
    assert offenders == [], f"import FoundationEssentials instead: {offenders}"


def test_the_pattern_catches_what_it_should():
    assert FULL_FOUNDATION.search("import Foundation\n")
    assert FULL_FOUNDATION.search("@preconcurrency import Foundation\n")
    assert not FULL_FOUNDATION.search("import FoundationEssentials\n")


@pytest.mark.parametrize("product", PRODUCTS)
def test_release_binaries_link_no_foundation_or_icu(product):
    binary = REPO / ".build" / "release" / product
    if not binary.exists():
        pytest.fail(f"{binary} is missing: scripts/test builds it (swift build -c release)")
    libraries = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    for name in ("libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU", "libicu"):
        assert name not in libraries, f"{product} links {name}"
    # A static build has no such libraries to show: look for Foundation's own symbols instead.
    symbols = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True, text=True).stdout
    assert "$s10Foundation" not in symbols and "_FoundationICU" not in symbols, f"{product} contains Foundation"

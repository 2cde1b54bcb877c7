"""Java's ``ZipInputStream`` reads a real package entry by entry (issue: it refused format 1,
whose stored entries had data descriptors). The package is the demo's, made by the real code.
Java comes from ``scripts/bootstrap.sh`` (Debian's ``default-jre-headless`` where no ``java``
is on the machine)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from forensics.package import layout as L

JAVA_SOURCE = Path(__file__).parent / "java" / "ZipStream.java"


def test_java_zipinputstream_reads_every_entry(demo_package: Path) -> None:
    java = shutil.which("java")
    if java is None:
        why = "no java on this machine (bash scripts/bootstrap.sh installs one)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    proc = subprocess.run(
        [java, str(JAVA_SOURCE), str(demo_package)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = dict(reversed(line.split("  ", 1)) for line in proc.stdout.splitlines())
    with zipfile.ZipFile(demo_package) as zf:
        names = zf.namelist()
    assert list(seen) == names
    sums = zipfile.ZipFile(demo_package).read(L.SHA256SUMS).decode().splitlines()
    assert sums
    for line in sums:
        digest, name = line.split("  ", 1)
        assert seen[name] == digest, name

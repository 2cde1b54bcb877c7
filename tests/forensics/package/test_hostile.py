"""Hostile packages: each is refused with exit 2 and one clear line, writes nothing, and
stays within bounded memory. A property test feeds random and mutated bytes to the reader."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import QuzhengError
from forensics.package import PackageReader, verify_package
from forensics.trust import TrustPolicy
from tests.forensics.package.conftest import Exported

HOSTILE = Path(__file__).parent / "hostile"

EXPECTED = {
    "zip-slip.qzp": "unsafe member name",
    "absolute-path.qzp": "unsafe member name",
    "symlink-entry.qzp": "symbolic link",
    "duplicate-names.qzp": "duplicate member",
    "zip-bomb.qzp": "zip bomb",
    "huge-manifest.qzp": "over the",
    "malformed-json.qzp": "not valid JSON",
    "not-a-zip.qzp": "not a readable ZIP",
    "truncated.qzp": "not a readable ZIP",
    "wrong-password.qzp": "wrong password",
}

_CHILD = """
import sys
from app.cli import main
code = main(sys.argv[1:])
# VmHWM starts afresh at exec (ru_maxrss would include the pytest parent).
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("maxrss_kb", hwm.split()[1], file=sys.stderr)
sys.exit(code)
"""


def test_every_attack_has_a_file() -> None:
    assert sorted(p.name for p in HOSTILE.glob("*.qzp")) == sorted([*EXPECTED, "lying-size.qzp"])


def test_member_larger_than_its_header_is_an_altered_file() -> None:
    """A member whose data disagrees with its header was altered in place: exit 1 naming it."""
    report = verify_package(HOSTILE / "lying-size.qzp", TrustPolicy())
    assert not report.bottom_line
    assert ("file-damaged", "evidence/a.bin") in {(f.code, f.subject) for f in report.errors}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_package_is_refused(name: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    pw = tmp_path / "pw"
    pw.write_text("not the password")
    env = {
        **os.environ,
        "QUZHENG_HOME": str(tmp_path / "home"),
        "QUZHENG_LANG": "en",
        "TMPDIR": str(work),
    }
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "verify", str(HOSTILE / name), "--password-file", str(pw)],
        cwd=work,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [x for x in proc.stderr.splitlines() if not x.startswith("maxrss_kb")]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1 and lines[0].startswith("quzheng: ") and EXPECTED[name] in lines[0], (
        lines
    )
    rss_mb = int(proc.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    assert rss_mb < 200, rss_mb
    # Nothing written: not in the working folder, not where the attack points.
    assert list(work.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_only_raise_declared_errors(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.qzp"
        p.write_bytes(data)
        try:
            with PackageReader(p) as reader:
                for name in reader.names:
                    with reader.open(name) as f:
                        f.read()
        except QuzhengError:
            pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["flip", "cut", "insert"]))
def test_mutated_packages_only_raise_declared_errors(
    exported: Exported, tmp_path_factory: pytest.TempPathFactory, seed: int, how: str
) -> None:
    data = bytearray(exported.path.read_bytes())
    rng = random.Random(seed)
    pos = rng.randrange(len(data))
    if how == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == "cut":
        del data[pos:]
    else:
        data[pos:pos] = rng.randbytes(rng.randint(1, 64))
    p = tmp_path_factory.mktemp("mut") / "m.qzp"
    p.write_bytes(bytes(data))
    try:
        # The original's detached seal: any changed byte must fail verification.
        report = verify_package(
            p, policy=TrustPolicy.of((), exported.tsa_roots), seal_path=exported.result.seal_path
        )
    except QuzhengError:
        return
    assert report.bottom_line is (bytes(data) == exported.path.read_bytes())

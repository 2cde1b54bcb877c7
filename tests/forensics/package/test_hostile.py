"""Hostile packages: each is refused with exit 2 and one clear line, writes nothing, and
stays within bounded memory. A property test feeds random and mutated bytes to the reader."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.custody import transfer_record_path
from forensics.errors import QuzhengError
from forensics.package import PackageReader, verify_package
from forensics.package import layout as L
from forensics.trust import TrustPolicy
from forensics.verdict import MAX_PER_CODE, Collector, OmittedFindings, Severity
from tests.conftest import PASSPHRASE
from tests.forensics.package.conftest import Exported, rewrite
from tests.forensics.package.test_hostile_identifiers import receiver_home

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


# -- hostile documents, headers and sizes inside a real package (issue #16) ----------------


def _cli(tmp: Path, *args: str, home: Path | None = None) -> tuple[int, str, list[str], float]:
    """Run the CLI in a child process: exit code, stdout, stderr lines, peak RSS in MB."""
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "QUZHENG_HOME": str(home or tmp / "cli-home"),
        "QUZHENG_LANG": "en",
        "QUZHENG_PASSPHRASE": PASSPHRASE,
        "QUZHENG_OFFICER": "P0001",
        "PYTHONPATH": str(root),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [x for x in proc.stderr.splitlines() if not x.startswith("maxrss_kb")]
    rss_mb = int(proc.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    return proc.returncode, proc.stdout, lines, rss_mb


def _one_clear_line(code: int, lines: list[str], want: str) -> None:
    assert code == 2, lines
    assert "Traceback" not in "\n".join(lines)
    assert len(lines) == 1 and lines[0].startswith("quzheng: ") and want in lines[0], lines


DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


@pytest.mark.parametrize("doc", [L.DATAPACKAGE, L.DIGEST, L.MANIFEST])
def test_deep_json_document_is_refused_unparsed(
    exported: Exported, tmp_path: Path, doc: str
) -> None:
    """Deep nesting used to be a RecursionError traceback: now exit 2, one line naming it."""
    bad = tmp_path / "out" / "deep.qzp"
    bad.parent.mkdir()
    rewrite(exported.path, bad, lambda m: m.__setitem__(doc, DEEP_OBJECT))
    code, _, lines, rss = _cli(tmp_path, "verify", str(bad))
    _one_clear_line(code, lines, "nested deeper than 64 levels")
    assert doc in lines[0] and rss < 300


def test_deep_json_ledger_line_is_a_malformed_entry(exported: Exported, tmp_path: Path) -> None:
    """The ledger is a signed chain: a line nobody can parse breaks it — verdict FAIL (exit 1)
    with a ledger-malformed finding that says why; no traceback."""
    bad = tmp_path / "out" / "deep-ledger.qzp"
    bad.parent.mkdir()

    def change(m: dict[str, bytes]) -> None:
        lines = m[L.LEDGER].split(b"\n")
        lines[1] = DEEP
        m[L.LEDGER] = b"\n".join(lines)

    rewrite(exported.path, bad, change)
    code, out, lines, _ = _cli(tmp_path, "verify", str(bad))
    assert code == 1 and lines == [], lines
    assert "FAIL" in out and "[ledger-malformed]" in out and "nested deeper" in out


def test_deep_json_seal_is_a_failed_seal(exported: Exported, tmp_path: Path) -> None:
    """A detached seal nobody can parse cannot vouch for the file: FAIL (exit 1),
    seal-unreadable naming the nesting; no traceback."""
    exported.result.seal_path.write_bytes(DEEP)
    code, out, lines, _ = _cli(tmp_path, "verify", str(exported.path))
    assert code == 1 and lines == [], lines
    assert "[seal-unreadable]" in out and "nested deeper" in out


def test_deep_json_transfer_record_is_refused_by_import(exported: Exported, tmp_path: Path) -> None:
    police = receiver_home(tmp_path, exported.world, exported.tsa_roots)
    transfer_record_path(exported.path).write_bytes(b'{"record":' + DEEP + b"}")
    code, _, lines, _ = _cli(tmp_path, "import-package", str(exported.path), home=police.home)
    _one_clear_line(code, lines, "nested deeper than 64 levels")
    assert "transfer.json" in lines[0]
    assert _cases(police.home) == []


def test_deep_json_datapackage_is_refused_by_import(exported: Exported, tmp_path: Path) -> None:
    police = receiver_home(tmp_path, exported.world, exported.tsa_roots)
    bad = tmp_path / "out" / "deep.qzp"
    bad.parent.mkdir()
    rewrite(exported.path, bad, lambda m: m.__setitem__(L.DATAPACKAGE, DEEP))
    code, _, lines, _ = _cli(tmp_path, "import-package", str(bad), home=police.home)
    _one_clear_line(code, lines, "nested deeper than 64 levels")
    assert _cases(police.home) == []


def _cases(home: Path) -> list[str]:
    d = home / "cases"
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def _flip_central(data: bytes, member: str, field: str, value: int) -> bytes:
    """Set one field of ``member``'s central directory header (version needed, method)."""
    offsets = {"version": 6, "method": 10}
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46 : pos + 46 + name_len]).decode() == member:
            struct.pack_into("<H", out, pos + offsets[field], value)
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(member)


FLIPS = {
    "version-needed-14.8": ("version", 0x94),  # NotImplementedError: zip file version 14.8
    "method-deflate-on-stored": ("method", 8),  # zlib.error
    "method-bzip2": ("method", 12),  # OSError: invalid data stream
    "method-aes-marker": ("method", 99),  # NotImplementedError without the AES extra
    "method-unknown": ("method", 77),
}


@pytest.mark.parametrize("flip", sorted(FLIPS))
@pytest.mark.parametrize("member", [L.DATAPACKAGE, "custody/ledger.jsonl"])
def test_zip_header_flip_with_seal_fails_on_the_seal(
    exported: Exported, tmp_path: Path, flip: str, member: str
) -> None:
    """One flipped header field, the genuine seal beside: the seal's verdict (FAIL, exit 1:
    the file was altered), not an unreadable-input error, and never "password"."""
    field, value = FLIPS[flip]
    work = tmp_path / "work"
    work.mkdir()
    bad = work / exported.path.name
    bad.write_bytes(_flip_central(exported.path.read_bytes(), member, field, value))
    shutil.copy(exported.result.seal_path, work / exported.result.seal_path.name)
    code, out, lines, _ = _cli(tmp_path, "verify", str(bad))
    assert code == 1 and lines == [], lines
    assert "[seal-sha256-mismatch]" in out and "[package-unreadable]" in out, out
    assert "password" not in out.lower()


@pytest.mark.parametrize("flip", sorted(FLIPS))
def test_zip_header_flip_without_seal_is_unreadable_not_password(
    exported: Exported, tmp_path: Path, flip: str
) -> None:
    field, value = FLIPS[flip]
    work = tmp_path / "work"
    work.mkdir()
    bad = work / "flipped.qzp"
    bad.write_bytes(_flip_central(exported.path.read_bytes(), L.DATAPACKAGE, field, value))
    code, _, lines, _ = _cli(tmp_path, "verify", str(bad))
    # pyzipper checks "version needed" as it reads the directory: the whole ZIP is unreadable;
    # a method is found unreadable when the member is opened.
    want = "not a readable ZIP" if field == "version" else "unsupported or damaged"
    _one_clear_line(code, lines, want)
    assert "password" not in lines[0].lower()


def _bogus_manifest(n: int, full: bool) -> bytes:
    if full:
        entry = '{"path":"evidence/%07d-x.png","sha256":"%s","sm3":"%s","size":1}'
        files = ",".join(entry % (i, "0" * 64, "1" * 64) for i in range(n))
    else:
        files = ",".join('{"path":"a"}' for _ in range(n))
    return ('{"ledger_head":{},"files":[' + files + "]}").encode()


def test_huge_manifest_findings_are_bounded(exported: Exported, tmp_path: Path) -> None:
    """200,000 files that do not exist: 200,000 findings of one code are kept as 50 and a
    count — a screenful of output, bounded memory; --json carries the counts."""
    bad = tmp_path / "out" / "many.qzp"
    bad.parent.mkdir()
    rewrite(exported.path, bad, lambda m: m.__setitem__(L.MANIFEST, _bogus_manifest(200_000, True)))
    code, out, lines, rss = _cli(tmp_path, "verify", str(bad))
    assert code == 1 and lines == [], lines
    assert len(out.splitlines()) < 200, len(out.splitlines())
    assert "200000× " in out and "manifest-file-mismatch" in out
    assert rss < 300, rss
    code, out, _, rss = _cli(tmp_path, "verify", str(bad), "--json")
    doc = json.loads(out)
    assert doc["finding_counts"]["manifest-file-mismatch"] == 200_000
    assert doc["findings_omitted"]["manifest-file-mismatch"] == 200_000 - MAX_PER_CODE
    assert len(doc["findings"]) < 1000 and rss < 300


def test_million_entry_manifest_is_refused_unparsed(exported: Exported, tmp_path: Path) -> None:
    """The issue's 1.2 million-entry manifest (81 MB of output, 810 MB RSS before): more
    values than any package can need, refused before parsing."""
    bad = tmp_path / "out" / "million.qzp"
    bad.parent.mkdir()
    rewrite(
        exported.path, bad, lambda m: m.__setitem__(L.MANIFEST, _bogus_manifest(1_200_000, False))
    )
    code, out, lines, rss = _cli(tmp_path, "verify", str(bad))
    _one_clear_line(code, lines, "JSON values")
    assert out == "" and rss < 300, rss


def test_collector_keeps_the_first_findings_of_a_code_and_counts_the_rest() -> None:
    c = Collector()
    for i in range(MAX_PER_CODE + 7):
        c.add("x-code", Severity.ERROR, f"s{i}", "en", "zh")
    c.add("y-code", Severity.WARNING, "s", "en", "zh")
    codes = [f.code for f in c.findings]
    assert codes.count("x-code") == MAX_PER_CODE and codes.count("y-code") == 1
    summary = [f for f in c.findings if isinstance(f, OmittedFindings)]
    assert [(f.subject, f.count, f.severity) for f in summary] == [("x-code", 7, Severity.ERROR)]
    assert "7 more x-code" in summary[0].en and "另有 7 项" in summary[0].zh
    merged = Collector()
    merged.merge(c.findings)
    merged.merge(c.findings)
    again = [f for f in merged.findings if isinstance(f, OmittedFindings)]
    assert again[0].count == 7 + 7 + MAX_PER_CODE

"""The single read of a plain package (forensics/package/scan.py) gives the digests that
reading each member through the ZIP library and hashing the whole file give."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from forensics.hashing import digest_file, digest_stream
from forensics.package import verify_package
from forensics.package.reader import PackageReader
from forensics.package.scan import scan_package
from forensics.trust import TrustPolicy
from tests.forensics.package.conftest import PASSWORD, Exported


def _by_library(path: Path) -> dict[str, tuple[int, str, str]]:
    out = {}
    with PackageReader(path) as reader:
        for name in reader.names:
            with reader.open(name) as f:
                d = digest_stream(f)
            out[name] = (d.size, d.sha256, d.sm3)
    return out


def test_one_pass_matches_member_reads_and_whole_file(exported: Exported) -> None:
    with PackageReader(exported.path) as reader:
        spans = reader.stored_spans()
    assert spans is not None and len(spans) == len(_by_library(exported.path))
    scan = scan_package(exported.path, spans)
    assert scan.whole == digest_file(exported.path)
    assert (scan.whole.sha256, scan.whole.sm3) == (exported.result.sha256, exported.result.sm3)
    got = {n: (d.size, d.sha256, d.sm3) for n, d in scan.members.items()}
    assert got == _by_library(exported.path)


def test_a_member_altered_in_place_is_left_to_the_library(
    exported: Exported, tmp_path: Path
) -> None:
    copy = tmp_path / "altered.qzp"
    shutil.copyfile(exported.path, copy)
    with PackageReader(copy) as reader:
        spans = reader.stored_spans()
    assert spans is not None
    victim = max(spans, key=lambda s: s.size)
    with open(copy, "r+b") as f:
        f.seek(victim.start + victim.size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    scan = scan_package(copy, spans)
    assert victim.name not in scan.members
    assert len(scan.members) == len(spans) - 1
    assert scan.whole == digest_file(copy)
    # ... and verification reports it as the library finds it: the member's CRC fails.
    policy = TrustPolicy.of(exported.world.ids.trusted_cas(), exported.tsa_roots)
    assert verify_package(exported.path, policy).bottom_line
    report = verify_package(copy, policy)
    assert not report.bottom_line
    assert any(f.code == "file-damaged" and f.subject == victim.name for f in report.errors)


def test_encrypted_package_is_not_read_in_one_pass(
    make_exported: Callable[..., Exported],
) -> None:
    enc = make_exported(password=PASSWORD, name="enc.qzp")
    with PackageReader(enc.path, PASSWORD) as reader:
        assert reader.stored_spans() is None

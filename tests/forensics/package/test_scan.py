"""The single read of a plain package (forensics/package/scan.py) gives the digests that
reading each member through the ZIP library and hashing the whole file give; so does the
stream of its bytes (forensics/package/stream_scan.py), whatever the bytes, and verification
with a streamed scan reports exactly what verification without it does."""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from stream_zip import NO_COMPRESSION_32, NO_COMPRESSION_64, stream_zip

from app.reporting import report_hook
from forensics.hashing import Digests, digest_file, digest_stream
from forensics.package import export_package, verify_package
from forensics.package.layout import MAX_MEMBERS
from forensics.package.reader import PackageReader, Span
from forensics.package.scan import BLOCK, Scan, file_id, scan_package
from forensics.package.stream_scan import StreamScan
from forensics.package.zipwrite import ENTRY_MODE, ENTRY_TIME
from forensics.stamping import stamp_pending
from forensics.trust import TrustPolicy
from forensics.verdict import Verdict, VerificationReport
from tests.forensics.package.conftest import PASSWORD, Exported, rewrite


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
    got = {n: (d.size, d.sha256, d.sm3) for n, d in scan.digests_for(spans).items()}
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
    assert victim not in scan.spans
    assert len(scan.spans) == len(spans) - 1
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


# --- The same digests taken while the bytes arrive (forensics/package/stream_scan.py) ---


def _stream_copy(src: Path, dst: Path, chunk: int = 1 << 20) -> Scan:
    """What the vault does with a deposit's body: write it to a file, feeding the scan."""
    with StreamScan() as scan:
        with open(src, "rb") as f, open(dst, "xb") as out:
            while data := f.read(chunk):
                scan.feed(data)
                out.write(data)
        return scan.finish(dst)


def _stream_bytes(data: bytes, dst: Path, chunk: int = 1 << 20) -> Scan:
    dst.write_bytes(data)
    with StreamScan() as scan:
        for at in range(0, len(data), chunk):
            scan.feed(data[at : at + chunk])
        return scan.finish(dst)


def _named(scan: Scan) -> dict[str, Digests]:
    return {s.name: d for s, d in scan.spans.items()}


def _one_pass(path: Path) -> Scan:
    with PackageReader(path) as reader:
        spans = reader.stored_spans()
    assert spans is not None
    return scan_package(path, spans)


def _bytes_say(data: bytes, scan: Scan) -> None:
    """Every member the stream reports has the digests of the bytes where it says they lie."""
    for span, d in scan.spans.items():
        part = data[span.start : span.start + span.size]
        assert (d.size, d.sha256) == (len(part), hashlib.sha256(part).hexdigest())
        assert d.sm3 == digest_stream(io.BytesIO(part)).sm3
        assert zlib.crc32(part) == span.crc
    assert (scan.whole.size, scan.whole.sha256) == (len(data), hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_stream_gives_what_one_read_gives(exported: Exported, tmp_path: Path, chunk: int) -> None:
    streamed = _stream_copy(exported.path, tmp_path / "in.qzp", chunk)
    read = _one_pass(tmp_path / "in.qzp")
    assert streamed.whole == read.whole == digest_file(exported.path)
    assert streamed.spans == read.spans
    assert _named(streamed) == _named(_one_pass(exported.path))
    assert len(streamed.spans) == len(_by_library(exported.path))
    assert streamed.file_id == read.file_id == file_id((tmp_path / "in.qzp").stat())


def _zip(path: Path, members: list[tuple[str, bytes, bool]]) -> None:
    """A stored ZIP as stream_zip writes one (the bytes the package writer makes too:
    test_zip_bytes.py), ZIP64 where asked."""
    entries = (
        (name, ENTRY_TIME, ENTRY_MODE, (NO_COMPRESSION_64 if wide else NO_COMPRESSION_32)(
            len(data), zlib.crc32(data)), (data,))
        for name, data, wide in members
    )  # fmt: skip
    with open(path, "wb") as f:
        for block in stream_zip(entries, extended_timestamps=False):
            f.write(block)


@pytest.mark.parametrize("chunk", [65_537, 1 << 20])
def test_stream_across_blocks_with_zip64_members(tmp_path: Path, chunk: int) -> None:
    """Members larger than a hashing block, a header cut by a block's end, an empty member,
    ZIP64 sizes in the local header's extra field and a plain member after them."""
    first = "evidence/first.bin"
    members = [
        (first, os.urandom(BLOCK - 10 - 30 - len(first)), False),  # next header cut at 4 MiB
        ("evidence/second.bin", os.urandom(BLOCK + 12_345), True),
        ("evidence/empty.txt", b"", True),
        ("evidence/third.txt", "第三".encode() * 1000, False),
        ("evidence/fourth.bin", os.urandom(3 * BLOCK), True),
    ]
    path = tmp_path / "wide.zip"
    _zip(path, members)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        wide = [i for i in zf.infolist() if i.filename.endswith(("second.bin", "fourth.bin"))]
    for info in wide:  # really ZIP64 in the local header: sizes 0xFFFFFFFF, then the extra
        assert data[info.header_offset + 18 : info.header_offset + 26] == b"\xff" * 8
    streamed = _stream_bytes(data, tmp_path / "in.zip", chunk)
    read = _one_pass(tmp_path / "in.zip")
    assert streamed.spans == read.spans and len(streamed.spans) == len(members)
    assert streamed.whole == read.whole
    assert _named(streamed) == {n: digest_stream(io.BytesIO(d)) for n, d, _ in members}
    _bytes_say(data, streamed)


def _local_headers(data: bytes) -> list[int]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [i.header_offset for i in zf.infolist()]


def _with_flags(data: bytes, at: int, flags: int) -> bytes:
    out = bytearray(data)
    out[at + 6 : at + 8] = (int.from_bytes(out[at + 6 : at + 8], "little") | flags).to_bytes(
        2, "little"
    )
    return bytes(out)


def _hostile(data: bytes) -> dict[str, tuple[bytes, int]]:
    """Bytes a hostile depositor might send, each with how many members come before the
    point where the stream must stop looking."""
    heads = _local_headers(data)
    huge_name = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 1 << 30, 1 << 30, 0xFFFF, 0xFFFF
    )
    no_zip64 = bytearray(data)
    no_zip64[heads[1] + 18 : heads[1] + 26] = b"\xff" * 8  # ZIP64 sizes, no extra to give them
    method = bytearray(data)
    method[heads[1] + 8] = 8  # deflated
    return {
        "truncated header": (data[: heads[1] + 17], 1),
        "truncated data": (data[: heads[2] - 5], 1),
        "huge name and extra lengths": (data[: heads[1]] + huge_name + os.urandom(300_000), 1),
        "encrypted flag": (_with_flags(data, heads[1], 0x1), 1),
        "data descriptor flag": (_with_flags(data, heads[1], 0x8), 1),
        "deflated": (bytes(method), 1),
        "ZIP64 without its extra": (bytes(no_zip64), 1),
        "not a ZIP": (os.urandom(100_000), 0),
        "empty": (b"", 0),
    }


@pytest.mark.parametrize(
    "case",
    [
        "truncated header",
        "truncated data",
        "huge name and extra lengths",
        "encrypted flag",
        "data descriptor flag",
        "deflated",
        "ZIP64 without its extra",
        "not a ZIP",
        "empty",
    ],
)
def test_hostile_bytes_end_the_search_quietly(
    exported: Exported, tmp_path: Path, case: str
) -> None:
    data, before = _hostile(exported.path.read_bytes())[case]
    for chunk in (7, 1 << 20):
        tracemalloc.start()
        try:
            streamed = _stream_bytes(data, tmp_path / f"{chunk}.bin", chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 2 * len(data) + (1 << 20)  # the test's own copies, one header at most
        _bytes_say(data, streamed)
        assert len(streamed.spans) == before
        assert streamed.whole == digest_file(tmp_path / f"{chunk}.bin")


def test_random_damage_never_raises(exported: Exported, tmp_path: Path) -> None:
    good = exported.path.read_bytes()
    heads = _local_headers(good)
    rng = random.Random(24)
    for i in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):  # mostly in the headers, where parsing happens
            at = rng.choice(heads) + rng.randrange(60) if rng.random() < 0.8 else None
            at = rng.randrange(len(data)) if at is None or at >= len(data) else at
            data[at] = rng.randrange(256)
        cut = bytes(data[: rng.randrange(len(data) + 1)] if i % 3 == 0 else data)
        _bytes_say(cut, _stream_bytes(cut, tmp_path / f"{i}.bin", rng.choice([1 << 20, 4099])))


def test_encrypted_package_has_no_streamed_members(
    make_exported: Callable[..., Exported], tmp_path: Path
) -> None:
    enc = make_exported(password=PASSWORD, name="enc.qzp")
    streamed = _stream_copy(enc.path, tmp_path / "in.qzp")
    assert streamed.spans == {} and streamed.whole == digest_file(enc.path)


def test_finish_names_the_file_the_bytes_went_to(exported: Exported, tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"not these bytes")
    with StreamScan() as scan:
        scan.feed(exported.path.read_bytes())
        with pytest.raises(ValueError, match="were fed"):
            scan.finish(other)


# --- verify_package with a streamed scan: the same report, fewer bytes read ---


def _policy(ex: Exported) -> TrustPolicy:
    return TrustPolicy.of(ex.world.ids.trusted_cas(), ex.tsa_roots)


def _deposited(src: Path, dst: Path) -> Scan:
    shutil.copyfile(src.with_name(src.name + ".seal.json"), dst.with_name(dst.name + ".seal.json"))
    return _stream_copy(src, dst)


def _same_report(ex: Exported, path: Path, scan: Scan) -> VerificationReport:
    with_scan = verify_package(path, _policy(ex), scan=scan)
    assert with_scan == verify_package(path, _policy(ex))
    return with_scan


def _flip(path: Path, at: int) -> None:
    with open(path, "r+b") as f:
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0xFF]))


def _victim(path: Path) -> Span:
    with PackageReader(path) as reader:
        spans = reader.stored_spans()
    assert spans is not None
    return max(spans, key=lambda s: s.size)


def _descriptors(src: Path, dst: Path) -> None:
    """The same members rewritten as a tool writing to a pipe does: stored, with data
    descriptors (the stream cannot follow those; the central directory can)."""

    class Pipe(io.RawIOBase):
        def __init__(self, out: io.BufferedWriter) -> None:
            self.out = out

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            return self.out.write(b)

    with (
        zipfile.ZipFile(src) as zin,
        open(dst, "wb") as out,
        zipfile.ZipFile(Pipe(out), "w", zipfile.ZIP_STORED) as zout,
    ):
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))


def test_streamed_scan_gives_the_same_report(exported: Exported, tmp_path: Path) -> None:
    ok = _same_report(exported, tmp_path / "ok.qzp", _deposited(exported.path, tmp_path / "ok.qzp"))
    assert ok.verdict is Verdict.PASS

    # A member's bytes changed and the ZIP rewritten to match (new CRCs): the stream hashes
    # the new bytes, and the manifests and the seal catch them.
    victim = _victim(exported.path)

    def change(members: dict[str, bytes]) -> None:
        members[victim.name] = members[victim.name] + b"tampered"

    rewrite(exported.path, tmp_path / "src-rewritten.qzp", change)
    shutil.copyfile(exported.path.with_name(exported.path.name + ".seal.json"),
                    tmp_path / "src-rewritten.qzp.seal.json")  # fmt: skip
    got = tmp_path / "rewritten.qzp"
    report = _same_report(exported, got, _deposited(tmp_path / "src-rewritten.qzp", got))
    assert {"file-sha256", "seal-sha256-mismatch"} <= {f.code for f in report.errors}

    # A member altered in place before it was sent: its bytes fail its CRC, so the stream
    # leaves it to the ZIP library, which reports it.
    shutil.copyfile(exported.path, tmp_path / "src-flipped.qzp")
    shutil.copyfile(exported.path.with_name(exported.path.name + ".seal.json"),
                    tmp_path / "src-flipped.qzp.seal.json")  # fmt: skip
    _flip(tmp_path / "src-flipped.qzp", victim.start + victim.size // 2)
    got = tmp_path / "flipped.qzp"
    scan = _deposited(tmp_path / "src-flipped.qzp", got)
    assert victim not in scan.spans
    assert len(scan.spans) == len(_one_pass(exported.path).spans) - 1
    report = _same_report(exported, got, scan)
    assert any(f.code == "file-damaged" and f.subject == victim.name for f in report.errors)

    # Data descriptors: the stream stops at the first member, the reader does not; every
    # member is then read through the ZIP library, as before.
    _descriptors(exported.path, tmp_path / "src-descriptors.qzp")
    shutil.copyfile(exported.path.with_name(exported.path.name + ".seal.json"),
                    tmp_path / "src-descriptors.qzp.seal.json")  # fmt: skip
    got = tmp_path / "descriptors.qzp"
    scan = _deposited(tmp_path / "src-descriptors.qzp", got)
    assert scan.spans == {} and _one_pass(got).spans
    assert _same_report(exported, got, scan).verdict is Verdict.FAIL  # the seal: other bytes


def test_a_member_changed_after_the_scan_is_read_again(exported: Exported, tmp_path: Path) -> None:
    got = tmp_path / "in.qzp"
    scan = _deposited(exported.path, got)
    victim = _victim(got)
    # The file system's clock moves in steps of a few milliseconds; a change in the same
    # step as the last write would keep the file's time (the spool is the vault's alone).
    time.sleep(0.05)
    _flip(got, victim.start + victim.size // 2)
    assert file_id(got.stat()) != scan.file_id
    report = _same_report(exported, got, scan)
    assert any(f.code == "file-damaged" and f.subject == victim.name for f in report.errors)
    assert any(f.code == "seal-sha256-mismatch" for f in report.errors)


def test_a_scan_of_other_bytes_does_not_pass_a_bad_package(
    exported: Exported, tmp_path: Path
) -> None:
    good = _deposited(exported.path, tmp_path / "good.qzp")
    bad = tmp_path / "bad.qzp"
    shutil.copyfile(tmp_path / "good.qzp", bad)
    shutil.copyfile(tmp_path / "good.qzp.seal.json", tmp_path / "bad.qzp.seal.json")
    victim = _victim(bad)
    _flip(bad, victim.start + 1)
    report = verify_package(bad, _policy(exported), scan=good)
    assert report == verify_package(bad, _policy(exported))
    assert report.verdict is Verdict.FAIL


def _bytes_read() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")  # pragma: no cover


def test_with_the_scan_only_the_control_files_are_read(exported: Exported, tmp_path: Path) -> None:
    big = tmp_path / "recording.bin"
    big.write_bytes(os.urandom(24 << 20))
    exported.case.import_file(exported.world.lead, big)
    stamp_pending(exported.case, exported.world.lead, exported.config)
    src = export_package(
        exported.case, exported.world.lead, tmp_path / "big.qzp", tsa=exported.config,
        report=report_hook("zh"),
    ).path  # fmt: skip
    got = tmp_path / "in.qzp"
    scan = _deposited(src, got)
    before = _bytes_read()
    report = verify_package(got, _policy(exported), scan=scan)
    with_scan = _bytes_read() - before
    before = _bytes_read()
    assert report == verify_package(got, _policy(exported))
    without = _bytes_read() - before
    assert report.verdict is Verdict.PASS
    size = got.stat().st_size
    assert without >= size  # the one pass
    assert with_scan < size // 8, (with_scan, size)


def test_members_beyond_the_readers_bound_are_not_kept(tmp_path: Path) -> None:
    """A stream of empty members (30-odd bytes each) must not grow the scan without end: it
    stops where the reader would refuse the package."""
    header = struct.Struct("<4sHHHHHIIIHH")
    data = b"".join(
        header.pack(b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 8, 0) + b"e/%06d" % i
        for i in range(MAX_MEMBERS + 5)
    )
    streamed = _stream_bytes(data, tmp_path / "many.bin")
    assert len(streamed.spans) == MAX_MEMBERS
    assert streamed.whole == digest_file(tmp_path / "many.bin")

"""The report of the demo's package, every fact checked against its ledger (issue #19).

``quzheng demo`` runs the whole job on the practice range (a real capture session: the
environment check, screenshots, snapshot, full page, the live room recorded with a mark,
traffic sealed as WARC and derived as HAR, both officers closing, export): nothing in the
ledger is hand-made. The report is regenerated from the package alone and must print what
the ledger holds: the tool's build hash, each derived item with its parent, the frame at
each mark, no raw data key, no glyph the embedded fonts lack, every font embedded.

Then, on the demo's case itself: an officer seals a transcript of the recording (the
desk's transcript path), verifies the case, writes the report and opens a screenshot at
the desk; the ledger records each (``verify``, ``custody.report``, ``custody.access``,
the latter once), the case still verifies, and the next report shows them all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forensics.entry_data import (
    PAGE_KINDS,
    Derived,
    MarkData,
    PageData,
    SessionStartData,
    TrafficData,
    VideoData,
)
from forensics.ledger import Record
from forensics.report import build_report
from forensics.report.fonts import HEX_FONT, TEXT_FONT, font_coverage
from forensics.report.narrative import at_text
from tests.forensics.package.test_entry_data import read_back
from tests.forensics.report.test_real_package import RAW_KEY, Package, Rendered, render

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output folder (run once for the module, in a child process)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    env = {**os.environ, "QUZHENG_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QUZHENG_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--out", str(out), "--live-seconds", "10"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def package(demo: Path) -> Iterator[Package]:
    pkg = Package(demo / "case.qzp")
    yield pkg
    pkg.close()


@pytest.fixture(scope="module")
def reports(package: Package, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    out = tmp_path_factory.mktemp("demo-report")
    return {lang: render(package, out / f"{lang}.pdf", lang) for lang in ("zh", "en")}


def squeeze(text: str) -> str:
    """Text without white space or hyphens: pdftotext drops a hyphen where a path breaks."""
    return re.sub(r"[\s-]+", "", text)


def value_words(value: Any) -> set[str]:
    """The snake_case words inside the ledger's recorded string values (printed as data)."""
    if isinstance(value, str):
        return set(RAW_KEY.findall(value))
    if isinstance(value, dict):
        return set().union(*(value_words(v) for v in value.values()), set())
    if isinstance(value, list):
        return set().union(*(value_words(v) for v in value), set())
    return set()


def evidence_no(records: list[Record], path: str) -> int:
    """An item's number in the report's list of electronic data (custody files aside)."""
    paths = [
        i.path
        for r in records
        if r.kind != "timestamp"
        for i in r.items
        if not i.path.startswith("custody/")
    ]
    return 1 + paths.index(path)


def of_kind(pkg: Package, kind: str) -> list[Record]:
    return [r for r in pkg.source.records if r.kind == kind]


def test_build_hash_printed_as_capture_wrote_it(
    package: Package, reports: dict[str, Rendered]
) -> None:
    (start,) = of_kind(package, "session.start")
    tool = SessionStartData.from_json(start.data).tool
    assert tool is not None and re.fullmatch(r"[0-9a-f]{64}", tool.build_sha256)
    for r in reports.values():
        assert tool.build_sha256 in squeeze(r.text)


def test_capture_entries_read_through_their_types(
    package: Package, reports: dict[str, Rendered]
) -> None:
    """What the capture engines wrote reads through forensics.entry_data's reader types: a
    renamed key in an engine fails here."""
    pages = [r for r in package.source.records if r.kind in PAGE_KINDS]
    assert {r.kind for r in pages} == set(PAGE_KINDS)
    # …and reads back unchanged: the types hold every key the producers wrote.
    assert {*PAGE_KINDS, "capture.traffic", "capture.video", "mark"} <= read_back(
        package.source.records
    )
    flat = squeeze(reports["zh"].text)
    for rec in pages:
        page = PageData.from_json(rec.data)
        assert page.url.startswith("https://") and page.title, rec.seq
        assert page.captured_at.endswith("Z") and page.server_ips, rec.seq
        assert squeeze(page.url) in flat
    traffic = of_kind(package, "capture.traffic")
    assert traffic
    for rec in traffic:
        seg = TrafficData.from_json(rec.data)
        assert seg.segment.endswith(".warc.gz") and seg.records > 0 and seg.hosts, rec.seq


def test_signature_page_prints_the_tsa_root(
    demo: Path, package: Package, reports: dict[str, Rendered]
) -> None:
    """Regenerated from the package alone, the report still finds the tokens (format 2
    keeps them under timestamps/) and prints the TSA root the verifier will ask about."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from forensics.fingerprints import openssl_hex

    root = x509.load_pem_x509_certificate((demo / "tsa" / "root.pem").read_bytes())
    sha = root.fingerprint(hashes.SHA256()).hex()
    assert [p.sha256 for p in package.source.fingerprints.tsa_roots] == [sha]
    for lang, r in reports.items():
        # printed as openssl prints it (AB:CD:…), in two lines
        assert openssl_hex(sha).replace(":", "") in squeeze(r.text).replace(":", ""), lang
    assert squeeze("时间戳根证书：无") not in squeeze(reports["zh"].text)


def test_derived_items_name_their_parents(package: Package, reports: dict[str, Rendered]) -> None:
    derived = of_kind(package, "derive")
    assert derived  # the export derives a HAR view of every WARC segment
    for lang, r in reports.items():
        flat = squeeze(r.text)
        assert squeeze("（父项不在本案账本中）") not in flat and "parentnotinthisledger" not in flat
        for rec in derived:
            d = Derived.from_json(rec.data)
            parent = package.source.records[d.parent.seq or 0]
            assert parent.items[0].sha256 == d.parent.sha256
            # the derived table names the parent by its number in the list and its path
            no = evidence_no(package.source.records, d.parent.path)
            assert squeeze(f"#{no} {d.parent.path}") in flat, (lang, rec.seq)
            assert squeeze(d.parent.sha256) in flat, (lang, rec.seq)
        assert ("HAR视图" if lang == "zh" else "HARview") in flat


def test_every_mark_has_its_frame(package: Package, tmp_path: Path) -> None:
    marks = of_kind(package, "mark")
    videos = of_kind(package, "capture.video")
    assert marks and videos
    segments = {(v.recording, v.segment) for v in (VideoData.from_json(r.data) for r in videos)}
    for rec in marks:
        mark = MarkData.from_json(rec.data)
        assert (mark.recording, mark.segment) in segments  # as the recorder wrote them
    summary = build_report(package.source, tmp_path / "r.pdf", lang="en", binding=package.binding)
    pictures = sum(
        1
        for r in package.source.records
        for i in r.items
        if i.media_type.startswith(("image/", "video/"))
    )
    assert summary.thumbnail_failures == 0, summary.warnings
    assert summary.thumbnails == pictures + len(marks)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "recording not found" not in text
    for rec in marks:
        mark = MarkData.from_json(rec.data)
        # the caption under the frame: the segment's number in the list, the mark's entry
        caption = f"· ledger #{rec.seq}\nmark {at_text(mark.at_us)}: {mark.note}"
        assert caption in text, caption


def test_no_raw_keys_and_no_missing_glyph(package: Package, reports: dict[str, Rendered]) -> None:
    recorded = set().union(*(value_words(r.entry) for r in package.source.records))
    both = font_coverage(TEXT_FONT) | font_coverage(HEX_FONT)
    for lang, r in reports.items():
        raw = set(RAW_KEY.findall(r.text)) - recorded
        assert not raw, (lang, sorted(raw))
        assert "<U+" not in r.text, lang
        assert not {c for c in r.text if not c.isspace() and ord(c) not in both}, lang
        for name, text in r.drawn:
            missing = {c for c in text if ord(c) not in font_coverage(name)}
            assert not missing, (lang, name, text)


def test_every_font_embedded(reports: dict[str, Rendered]) -> None:
    for lang, r in reports.items():
        proc = subprocess.run(["pdffonts", str(r.pdf)], capture_output=True, text=True)
        rows = proc.stdout.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), (lang, proc.stdout)
        check = subprocess.run(["qpdf", "--check", str(r.pdf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout


def test_desk_work_is_recorded_and_reported(demo: Path, tmp_path: Path) -> None:
    """Transcript, verification, report and access at the desk, on the demo's case."""
    from app.desk import access
    from app.desk.cases import seal_derived, verify_case
    from app.desk.report import write_report
    from app.desk.transcript import Line, derive_data, to_webvtt
    from app.installation import Installation
    from forensics.ledger_checks import verify_case_dir
    from forensics.report import ReportSource

    inst = Installation(demo / "home")
    passphrase = (demo / "demo-passphrase.txt").read_text().strip()
    lead = inst.ids.unlock("31000001", passphrase)
    (case_dir,) = (demo / "home" / "cases").iterdir()
    case_id = case_dir.name
    with inst.open_case(case_id, recover=False) as case:
        records = case.ledger.records()
    video = next(r for r in records if r.kind == "capture.video")
    shot = next(r for r in records if r.kind == "capture.screenshot")
    lines = [Line(12000, 15000, "主播", "正品保证，假一赔十")]
    parent = {"seq": video.seq, **video.entry["items"][0]}
    sealed = seal_derived(
        inst, case_id, lead, derive_data(parent, lines, "核对口播"), "transcript.vtt",
        to_webvtt(lines),
    )  # fmt: skip

    access.set_officer(lead)
    try:
        report = verify_case(inst, case_id)
        assert report.bottom_line, report.errors
        summary = write_report(inst, case_id, tmp_path / "desk.pdf", "zh")
        first = access.viewed(inst, case_id, shot.seq, shot.items[0])
        assert first is not None and first.result(timeout=60) is not None
        assert access.viewed(inst, case_id, shot.seq, shot.items[0]) is None  # once
    finally:
        access.set_officer(None)
    assert access.viewed(inst, case_id, video.seq, video.items[0]) is None  # nobody unlocked

    with inst.open_case(case_id, recover=False) as case:
        after = case.ledger.records()[sealed.seq + 1 :]
        assert [r.kind for r in after] == ["verify", "custody.report", "custody.access"]
        verified, reported, viewed = after
        assert verified.data["verdict"] == "pass" and verified.data["head_seq"] == sealed.seq
        assert reported.data["sha256"] == summary.sha256 and reported.data["pages"] == summary.pages
        assert viewed.data["path"] == shot.items[0].path and viewed.actor_key == lead.officer.key_fp
        lines_now = [line for _, _, line in case.store.ledger_rows()]
        assert verify_case_dir(case.store.dir, lines_now, inst.trust_policy()).bottom_line
        out = tmp_path / "after.pdf"
        build_report(ReportSource.from_case(case), out, lang="zh")
    flat = squeeze(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True
        ).stdout
    )
    video_no = evidence_no(records, video.items[0].path)
    assert squeeze(f"#{video_no}{video.items[0].path}") in flat  # the transcript's parent
    assert "文字记录" in flat and "正品保证，假一赔十" in flat
    for needle in ("校验：结论校验通过", "生成笔录：文件desk.pdf", "查看证据：第"):
        assert needle in flat, needle
    assert squeeze(shot.items[0].path) in flat

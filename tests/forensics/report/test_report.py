"""The chain-of-custody report, read back from the PDF with poppler, qpdf and zbar.

System tools: poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, zbar-tools (zbarimg).
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from forensics.case import Case
from forensics.entry_data import CaseOpenData, EnvCheckData
from forensics.errors import InputError, IntegrityError
from forensics.ledger import Record
from forensics.report import ReportBinding, ReportSource, build_report
from forensics.report.command import report_command
from tests.conftest import World
from tests.forensics.report.builders import (
    FullCase,
    create_case,
    make_png,
)

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
BINDING = ReportBinding("QZP-20261128-0001", "ab" * 32, "cd" * 32)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=60)


def pages_text(pdf: Path) -> list[str]:
    proc = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    assert proc.returncode == 0, proc.stderr
    pages = proc.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Built:
    full: FullCase
    source: ReportSource
    pdf: Path
    pages: list[str]

    @property
    def case(self) -> Case:
        return self.full.case


def build(
    full: FullCase, out: Path, lang: str = "zh", binding: ReportBinding | None = None
) -> Built:
    source = ReportSource.from_case(full.case)
    build_report(source, out, lang=lang, binding=binding, now=lambda: NOW)
    return Built(full, source, out, pages_text(out))


def evidence_items(case: Case) -> list[dict[str, Any]]:
    return [
        item
        for rec in case.ledger.records()
        if rec.kind != "timestamp"
        for item in rec.entry["items"]
    ]


# -- §F fields, read back ----------------------------------------------------------------------


def test_zh_report_shows_every_field(full: FullCase, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    source = ReportSource.from_case(full.case)
    summary = build_report(source, out, now=lambda: NOW)
    pages = pages_text(out)
    text = "\n".join(pages)
    flat = squeeze(text)
    assert summary.pages == len(pages) >= 4
    assert summary.thumbnails == 5 and summary.thumbnail_failures == 0
    for needle in (
        "电子数据提取笔录",
        "示市监案〔2026〕17号",  # case number
        "涉嫌销售侵犯注册商标专用权的商品",  # cause
        "固定网店销售假冒商品的电子数据",  # purpose
        "示例商贸有限公司",  # party
        "示例市市场监督管理局电子取证室",  # location
        "203.0.113.7",  # network summary
        "示例旗舰店",  # target
        "原始存储介质",  # carrier statement
        "mitmproxy12.3.0",  # proxy disclosure
        "127.0.0.1:8089",
        "CN=示例时间戳服务",  # TSA
        "补盖",  # a token obtained late
        "CanonEOSR6",  # EXIF
        "31.225000,121.470000",
        "EXIF拍摄时间与导入时间相差超过24小时",
        "主播称“假一赔十”",  # mark note
        "本店全部正品，假一赔十",  # transcript
        "示例市公安局经济犯罪侦查支队",  # transfer
        "记录人：王五",
        "技术辅助人员：赵技术",
        "自签名",
        "当事人（签名或盖章）：示例商贸有限公司",
        "2026-11-2820:00:00",  # generation time (Beijing), from the pinned clock
        "证明对象：涉案商品页面标称“正品保证”",
        "【敏感】含执法人员本人的登录凭据1处（Cookie）",
        "服务器IP198.51.100.20",  # from the capture engine's server block
        "直播：平台示例直播平台，直播间880123，主播anchor_li",  # REQUIREMENTS §A3
        "live.range.test/hls/live.m3u8",
    ):
        assert squeeze(needle) in flat, needle
    for badge in ("31000001", "31000002", "31000099", "A0001"):
        assert badge in text
    # The clock offsets, before and after, as the sealed checks measured them.
    for check in ("env_before", "env_after"):
        offset = EnvCheckData.from_json(full.records[check].data).clock.get("offset_us")
        assert isinstance(offset, int) and 5_000 < offset < 20_000, offset
        assert f"{offset / 1000:+.1f}ms" in flat, offset
    for officer in full.case.officers().values():
        assert officer.key in text  # fingerprints printed for handwritten comparison
    items = evidence_items(full.case)
    assert len(items) == 6
    for item in items:
        assert item["sha256"] in text and item["sm3"] in text, item["path"]
        assert item["path"] in flat
    # every page: header and footer page numbers, the unexported binding and the ledger head
    head = full.case.store.head()
    assert head is not None
    for n, page in enumerate(pages, 1):
        assert squeeze(page).count(f"第{n}页共{len(pages)}页") == 2, n
        assert "未导出" in page and full.case.case_id in page
        assert head[1] in page


def test_en_report_bound_to_the_package(full: FullCase, tmp_path: Path) -> None:
    b = build(full, tmp_path / "report-en.pdf", "en", BINDING)
    text = "\n".join(b.pages)
    assert "Record of Electronic Data Extraction" in text
    assert "示市监案〔2026〕17号" in text
    assert "Clean-environment checks and clock" in text
    for item in evidence_items(b.case):
        assert item["sha256"] in text and item["sm3"] in text
    for n, page in enumerate(b.pages, 1):
        assert f"Page {n} of {len(b.pages)}" in page
        assert BINDING.package_id in page
        assert BINDING.manifest_sha256 in page and BINDING.manifest_sm3 in page
        assert "not yet exported" not in page


def test_qr_code_carries_package_id_and_hash(full: FullCase, tmp_path: Path) -> None:
    b = build(full, tmp_path / "r.pdf", "en", BINDING)
    png = tmp_path / "page"
    proc = _run(
        "pdftoppm", "-r", "200", "-f", "2", "-l", "2", "-png", "-singlefile", str(b.pdf), str(png)
    )
    assert proc.returncode == 0, proc.stderr
    proc = _run("zbarimg", "--quiet", "--raw", str(png) + ".png")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"quzheng:{BINDING.package_id}:{BINDING.manifest_sha256}"


def test_unexported_qr_carries_case_id_and_ledger_head(full: FullCase, tmp_path: Path) -> None:
    b = build(full, tmp_path / "r.pdf")
    png = tmp_path / "page"
    _run("pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", str(b.pdf), str(png))
    proc = _run("zbarimg", "--quiet", "--raw", str(png) + ".png")
    head = b.case.store.head()
    assert head is not None
    assert proc.stdout.strip() == f"quzheng:{b.case.case_id}:{head[1]}"


def test_fonts_embedded_and_pdf_well_formed(full: FullCase, tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        b = build(full, tmp_path / f"r-{lang}.pdf", lang)
        proc = _run("pdffonts", str(b.pdf))
        assert proc.returncode == 0, proc.stderr
        rows = proc.stdout.splitlines()[2:]
        assert rows, proc.stdout
        for row in rows:
            # columns: name type encoding emb sub uni object ID (the name has no spaces)
            emb = row.split()[-5]
            assert emb == "yes", row
        assert any("QuzhengSans" in r for r in rows)
        check = _run("qpdf", "--check", str(b.pdf))
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors" in check.stdout


def test_same_ledger_same_clock_same_bytes(full: FullCase, tmp_path: Path) -> None:
    source = ReportSource.from_case(full.case)
    a = build_report(source, tmp_path / "a.pdf", binding=BINDING, now=lambda: NOW)
    b = build_report(source, tmp_path / "b.pdf", binding=BINDING, now=lambda: NOW)
    assert a.sha256 == b.sha256 and a.sm3 == b.sm3
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


# -- refusals ------------------------------------------------------------------------------------


def test_empty_required_fields_refuse_naming_them(case: Case, world: World, tmp_path: Path) -> None:
    # the fixture case has a number and a cause, but no location or purpose
    out = tmp_path / "r.pdf"
    with pytest.raises(InputError) as exc:
        build_report(ReportSource.from_case(case), out)
    assert "location" in exc.value.message_en and "purpose" in exc.value.message_en
    assert "提取地点" in exc.value.message_zh and "提取目的" in exc.value.message_zh
    assert "case number" not in exc.value.message_en
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_one_officer_or_an_open_session_refuses(world: World, tmp_path: Path) -> None:
    fields = {
        "title": "t",
        "number": "n-1",
        "cause": "c",
        "purpose": "p",
        "location": "l",
    }
    with create_case(world.home, world.lead, **fields) as c:
        with pytest.raises(InputError) as exc:
            build_report(ReportSource.from_case(c), tmp_path / "r.pdf")
        assert "at least two officers" in exc.value.message_en
        assert "至少两名执法人员" in exc.value.message_zh
        c.add_officer(world.lead, world.second.officer)
        session = c.start_session(world.lead)
        with pytest.raises(InputError) as exc:
            build_report(ReportSource.from_case(c), tmp_path / "r.pdf", lang="en")
        assert f"end of session {session[:8]}" in exc.value.message_en
        c.end_session(session, [world.lead, world.second])
        summary = build_report(ReportSource.from_case(c), tmp_path / "r.pdf")
        assert summary.pages >= 1


def test_training_case_may_have_one_officer_and_says_so(world: World, tmp_path: Path) -> None:
    fields = {
        "title": "训练",
        "number": "训-1",
        "cause": "练习",
        "purpose": "练习",
        "location": "教室",
    }
    with create_case(world.home, world.lead, training=True, **fields) as c:
        session = c.start_session(world.lead)
        c.note(world.lead, "练习备注", session=session)
        c.end_session(session, [world.lead], allow_single_officer=True)
        out = tmp_path / "r.pdf"
        build_report(ReportSource.from_case(c), out)
        text = squeeze("\n".join(pages_text(out)))
        assert "【训练案件】" in text
        assert "训练案件：一人操作" in text


def test_party_not_signed_reason_replaces_party_block(world: World, tmp_path: Path) -> None:
    fields = {
        "title": "t",
        "number": "n-2",
        "cause": "c",
        "purpose": "p",
        "location": "l",
        "party_not_signed_reason": "当事人经营者身份不明，无法通知到场",
    }
    with create_case(
        world.home, world.lead, officers=[(world.second.officer, "officer")], **fields
    ) as c:
        c.note(world.lead, "备注")
        c.import_file(world.lead, make_png(tmp_path / "p.png", (60, 40)))
        out = tmp_path / "r.pdf"
        build_report(ReportSource.from_case(c), out)
        text = squeeze("\n".join(pages_text(out)))
        assert "当事人未签名，原因：当事人经营者身份不明，无法通知到场" in text
        assert "当事人（签名或盖章）" not in text
        assert "当事人不详" in text  # party unknown


def test_carrier_statement_entered_replaces_the_standard_one(
    full: FullCase, world: World, tmp_path: Path
) -> None:
    """The officers' own statement on the original storage medium (``quzheng case new
    --carrier-statement``) is sealed in ``case.open`` and printed instead of the standard
    online-extraction statement; a case without one seals no such key."""
    said = "原始存储介质为当事人提供的移动硬盘，已当场扣押并封存（封条编号 0012）。"
    fields = {"title": "t", "number": "n-3", "cause": "c", "purpose": "p", "location": "l"}
    with create_case(
        world.home, world.lead, officers=[(world.second.officer, "officer")],
        carrier_statement=f"  {said}\n", **fields,
    ) as c:  # fmt: skip
        c.import_file(world.lead, make_png(tmp_path / "p.png", (60, 40)))
        opened = c.ledger.records()[0]
        assert CaseOpenData.from_json(opened.data).carrier_statement == said
        assert CaseOpenData.from_json(opened.data).to_json() == dict(opened.data)
        out = tmp_path / "r.pdf"
        build_report(ReportSource.from_case(c), out)
    text = squeeze("\n".join(pages_text(out)))
    assert squeeze(said) in text and "不在执法人员控制之下" not in text
    assert "carrier_statement" not in full.case.ledger.records()[0].data
    standard = squeeze("\n".join(pages_text(build_report(
        ReportSource.from_case(full.case), tmp_path / "full.pdf", now=lambda: NOW
    ).path)))  # fmt: skip
    assert "不在执法人员控制之下" in standard


def test_broken_ledger_refuses(full: FullCase, tmp_path: Path) -> None:
    records = full.case.ledger.records()
    bad = records[7]
    forged = Record(
        {**bad.entry, "data": {**bad.entry["data"], "url": "https://elsewhere"}},
        bad.hash,
        bad.sig,
        bad.cosig,
    )
    source = ReportSource(
        [*records[:7], forged, *records[8:]], ReportSource.from_case(full.case).opener
    )
    with pytest.raises(IntegrityError) as exc:
        build_report(source, tmp_path / "r.pdf")
    assert "ledger entry 7" in exc.value.message_en


def test_unknown_language_refuses(full: FullCase, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        build_report(ReportSource.from_case(full.case), tmp_path / "r.pdf", lang="fr")


# -- hostile pictures and other sources -----------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(path: Path) -> Path:
    """A valid PNG header that claims 100,000 × 100,000 pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
    return path


def test_hostile_pictures_give_placeholders(full: FullCase, world: World, tmp_path: Path) -> None:
    c = full.case
    c.seal_file(
        world.lead,
        bomb_png(tmp_path / "bomb.png"),
        kind="capture.screenshot",
        data={"url": "https://x.test/"},
    )
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x13" * 500)
    c.seal_file(world.lead, broken, kind="capture.screenshot", data={}, media_type="image/jpeg")
    fake_video = tmp_path / "fake.mp4"
    fake_video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 300)
    c.seal_file(world.lead, fake_video, kind="capture.video", data={}, media_type="video/mp4")
    out = tmp_path / "r.pdf"
    summary = build_report(ReportSource.from_case(c), out, now=lambda: NOW)
    assert summary.thumbnail_failures == 3 and summary.thumbnails == 5
    assert any("bomb.png" in w for w in summary.warnings)
    text = squeeze("\n".join(pages_text(out)))
    assert text.count("无法生成缩略图") == 3
    assert "无法生成缩略图（图像过大）" in text


class ZipSource:
    """A package-like source: the ledger and the files at their item paths in a ZIP."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)

    def open(self, item: dict[str, Any]) -> BinaryIO | None:
        try:
            return self.zip.open(str(item["path"]))  # type: ignore[return-value]
        except KeyError:
            return None


def test_report_from_a_package_like_zip(full: FullCase, tmp_path: Path) -> None:
    package = tmp_path / "p.zip"
    lines = [line for _, _, line in full.case.store.ledger_rows()]
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as z:
        z.writestr("custody/ledger.jsonl", "\n".join(lines) + "\n")
        for item in evidence_items(full.case):
            z.write(full.case.store.blob_path(item["sha256"]), item["path"])
        for cert in sorted((full.case.store.dir / "certs").glob("*.pem")):
            z.write(cert, f"certs/{cert.name}")  # the signature page's fingerprints
    zs = ZipSource(package)
    try:
        ledger = zs.zip.read("custody/ledger.jsonl").decode().splitlines()
        source = ReportSource.from_lines(ledger, zs.open, "p.zip")
        out = tmp_path / "from-zip.pdf"
        summary = build_report(source, out, binding=BINDING, now=lambda: NOW)
        direct = build_report(
            ReportSource.from_case(full.case),
            tmp_path / "direct.pdf",
            binding=BINDING,
            now=lambda: NOW,
        )
    finally:
        zs.zip.close()
    assert summary.thumbnails == 5 and summary.thumbnail_failures == 0
    assert summary.sha256 == direct.sha256  # regenerated from the package: the same report


def test_missing_file_gives_placeholder(full: FullCase, tmp_path: Path) -> None:
    source = ReportSource.from_case(full.case)
    shot = full.records["shot"].entry["items"][0]["sha256"]

    def opener(item: dict[str, Any]) -> BinaryIO | None:
        return None if item["sha256"] == shot else source.opener(item)

    summary = build_report(ReportSource(source.records, opener), tmp_path / "r.pdf")
    assert summary.thumbnail_failures == 1
    assert "文件缺失" in squeeze("\n".join(pages_text(tmp_path / "r.pdf")))
    # the placeholder box is set in the embedded font too (no Helvetica)
    fonts = _run("pdffonts", str(tmp_path / "r.pdf")).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts


# -- the command ---------------------------------------------------------------------------------


def test_report_command(
    full: FullCase, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.pdf"
    full.case.close()  # the command opens the case itself
    assert report_command(world.home, full.case.case_id[:8], out, "en") == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "pages" in printed
    assert out.read_bytes().startswith(b"%PDF-")


def test_extra_screenshot_keeps_tall_page_cropped(
    full: FullCase, world: World, tmp_path: Path
) -> None:
    # A page 40 times taller than wide: only its top is decoded and shown.
    tall = make_png(tmp_path / "very-tall.png", (200, 8000))
    full.case.seal_file(world.lead, tall, kind="capture.fullpage", data={"url": "https://t.test/"})
    out = tmp_path / "r.pdf"
    summary = build_report(ReportSource.from_case(full.case), out)
    assert summary.thumbnail_failures == 0
    assert squeeze("\n".join(pages_text(out))).count("仅显示页面顶部") == 2


def test_thumbnail_bytes_stay_small(full: FullCase, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    build_report(ReportSource.from_case(full.case), out)
    # five thumbnails of at most 480 px; the whole report stays well under a megabyte
    assert out.stat().st_size < 1_000_000
    assert io.BytesIO(out.read_bytes()).read(5) == b"%PDF-"


def test_unwritable_target_refuses(full: FullCase, tmp_path: Path) -> None:
    source = ReportSource.from_case(full.case)
    with pytest.raises(InputError):
        build_report(source, tmp_path / "no-such-folder" / "r.pdf")
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError) as exc:
        build_report(source, tmp_path / "taken")
    assert "cannot write the report" in exc.value.message_en
    assert not list(tmp_path.glob(".*.tmp"))

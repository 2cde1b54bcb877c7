"""The report of a real package, read back with the real tools (issue #19).

The package is tests/golden/format-2/case.qzp: made by a headless capture of the practice
range through the recording proxy and exported by ``quzheng export`` (tests/golden/
make_golden.py), so every ledger entry is what capture, the environment check, the HAR
derivation and the export write — no hand-made ledger. The report is regenerated from the
package alone (its ledger and members), bound to its manifest.

System tools: poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, zbar-tools (zbarimg).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from forensics.ledger import Record
from forensics.package.reader import PackageReader
from forensics.report import build_report, default_report_lang
from forensics.report.command import report_command
from forensics.report.fonts import HEX_FONT, TEXT_FONT, clean, font_coverage, register_fonts
from forensics.report.labels import FIELD_NAMES, KIND_NAMES, LABELS, LIST_LABELS, STATUS_NAMES
from forensics.report.language import case_agency, has_cjk
from forensics.report.package_source import package_binding, package_source

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "tests" / "golden" / "format-2" / "case.qzp"
NOW = datetime(2026, 12, 7, 9, 0, 0, tzinfo=UTC)

# A raw key: a bare snake_case word (not part of a path, file name, flag or platform string
# such as "x86_64-with-glibc", which are data and printed as recorded).
RAW_KEY = re.compile(r"(?<![\w./\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./\-])")
BARE_BOOL = re.compile(r"\b(?:true|false|True|False)\b")
# Keys the ledger of a real capture holds that once reached the page as they are.
KNOWN_KEYS = (
    "browser_profile",
    "addon_files",
    "ca_spki_sha256_b64",
    "ca_subject",
    "client_auth",
    "proxy_disclosure",
    "file_name",
    "package_id",
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=120)


@dataclass
class Rendered:
    pdf: Path
    text: str
    drawn: list[tuple[str, str]]  # (font name, text) of every string laid out in a TTF font


class Package:
    """A package opened as the report's source (forensics.report.package_source): its
    ledger, its members by its format's layout, its fingerprints and its binding."""

    def __init__(self, path: Path) -> None:
        self.reader = PackageReader(path)
        self.source = package_source(self.reader)
        self.binding = package_binding(self.reader, self.source)

    def close(self) -> None:
        self.reader.close()


@pytest.fixture(scope="module")
def package() -> Iterator[Package]:
    pkg = Package(PACKAGE)
    yield pkg
    pkg.close()


def render(pkg: Package, out: Path, lang: str | None) -> Rendered:
    """Build the report, recording every string reportlab maps to glyphs of a TTF font."""
    drawn: list[tuple[str, str]] = []
    original = TTFont.splitString

    def spy(self: TTFont, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
        drawn.append((self.fontName, text if isinstance(text, str) else text.decode(encoding)))
        return original(self, text, doc, encoding)

    TTFont.splitString = spy  # type: ignore[method-assign]
    try:
        build_report(pkg.source, out, lang=lang, binding=pkg.binding, now=lambda: NOW)
    finally:
        TTFont.splitString = original  # type: ignore[method-assign]
    proc = _run("pdftotext", "-enc", "UTF-8", str(out), "-")
    assert proc.returncode == 0, proc.stderr
    return Rendered(out, proc.stdout, drawn)


@pytest.fixture(scope="module")
def reports(package: Package, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    out = tmp_path_factory.mktemp("real-report")
    return {lang: render(package, out / f"report-{lang}.pdf", lang) for lang in ("zh", "en")}


# -- 1. every glyph printed exists in the embedded font ----------------------------------------


def test_every_drawn_character_is_in_its_font(reports: dict[str, Rendered]) -> None:
    for lang, r in reports.items():
        assert r.drawn, lang
        fonts = {name for name, _ in r.drawn}
        assert TEXT_FONT in fonts and HEX_FONT in fonts, fonts
        for name, text in r.drawn:
            coverage = font_coverage(name)
            missing = {c for c in text if ord(c) not in coverage}
            assert not missing, (lang, name, text, [f"U+{ord(c):04X}" for c in missing])


def test_extracted_text_has_no_missing_glyph(reports: dict[str, Rendered]) -> None:
    both = font_coverage(TEXT_FONT) | font_coverage(HEX_FONT)
    for lang, r in reports.items():
        # the ledger's own texts hold "→" (a target that does not resolve): drawn as "->"
        assert "<U+" not in r.text, lang
        assert "\u2192" not in r.text and "shop.range.test -> " in r.text, lang
        missing = {c for c in r.text if not c.isspace() and ord(c) not in both}
        assert not missing, (lang, missing)


def test_substitutes_and_code_points() -> None:
    assert clean("shop.range.test → 无法解析") == "shop.range.test -> 无法解析"
    assert clean("✓ ✗") == "\u221a \u00d7"
    assert clean("a\x07b😀") == "a<U+0007>b<U+1F600>"  # hostile text: shown, never dropped


def test_every_label_is_drawable() -> None:
    coverage = register_fonts()
    texts = [t for pair in LABELS.values() for t in pair]
    texts += [t for pair in LIST_LABELS.values() for side in pair for t in side]
    for table in (FIELD_NAMES, KIND_NAMES, STATUS_NAMES):
        texts += [t for pair in table.values() for t in pair]
    for text in texts:
        assert all(ord(c) in coverage for c in text), text


# -- 2. every font embedded; the PDF well formed -----------------------------------------------


def test_every_font_embedded_and_qpdf_clean(reports: dict[str, Rendered]) -> None:
    for lang, r in reports.items():
        proc = _run("pdffonts", str(r.pdf))
        assert proc.returncode == 0, proc.stderr
        rows = proc.stdout.splitlines()[2:]
        assert rows, proc.stdout
        for row in rows:
            # name type encoding emb sub uni object ID (the name has no spaces)
            assert row.split()[-5] == "yes", (lang, row)
            assert "QuzhengSans" in row or "RobotoCondensed" in row, (lang, row)
        raw = r.pdf.read_bytes()
        for base14 in (b"Helvetica", b"Times-", b"Courier", b"Symbol", b"ZapfDingbats"):
            assert base14 not in raw, (lang, base14)
        assert raw.count(b"/FontFile2") >= len(rows)
        check = _run("qpdf", "--check", str(r.pdf))
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors" in check.stdout


# -- 3. no raw keys, booleans as words ---------------------------------------------------------


def test_no_raw_keys_and_no_bare_booleans(reports: dict[str, Rendered]) -> None:
    for lang, r in reports.items():
        assert not RAW_KEY.findall(r.text), (lang, sorted(set(RAW_KEY.findall(r.text))))
        assert not BARE_BOOL.findall(r.text), lang
        for key in KNOWN_KEYS:
            assert key not in r.text, (lang, key)
    zh = re.sub(r"\s+", "", reports["zh"].text)
    for needle in (
        "系统代理设置否",  # the snapshot's proxy.active false
        "代理CA证书主题O=Quzheng,CN=Quzhengcaptureproxy",
        "代理插件文件（路径与SHA-256）forensics/__init__.py",
        "浏览器配置【正常】空目录（全新）",
        "导出证据包：是否加密：否；文件名：case.qzp",
    ):
        assert needle in zh, needle
    en = re.sub(r"\s+", " ", reports["en"].text)
    assert "Package exported: Encrypted: no; File name: case.qzp" in en
    assert "Browser profile" in en and "[ok] empty (fresh)" in en


def test_build_hash_read_as_capture_writes_it(
    package: Package, reports: dict[str, Rendered]
) -> None:
    start = next(r for r in package.source.records if r.kind == "session.start")
    build = start.data["tool"]["build_sha256"]
    assert build in reports["zh"].text and build in reports["en"].text


# -- 4. the QR code decodes at 100 dpi ---------------------------------------------------------


def test_qr_decodes_at_100_dpi_on_every_page(
    package: Package, reports: dict[str, Rendered], tmp_path: Path
) -> None:
    want = f"quzheng:{package.binding.package_id}:{package.binding.manifest_sha256}"
    r = reports["zh"]
    pages = r.text.count("\f")
    assert pages >= 4
    proc = _run("pdftoppm", "-r", "100", "-png", str(r.pdf), str(tmp_path / "p"))
    assert proc.returncode == 0, proc.stderr
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for image in images:
        proc = _run("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image))
        assert proc.returncode == 0, (image.name, proc.stderr)
        assert proc.stdout.strip() == want, image.name


# -- 5. the language is the case's, not the locale's -------------------------------------------


def _with_agency(records: list[Record], agency: str) -> list[Record]:
    """The same ledger with every agency replaced (the language rule reads nothing else)."""
    out = []
    for rec in records:
        if rec.kind in ("case.open", "officer.add"):
            entry = {**rec.entry, "data": {**rec.entry["data"], "agency": agency}}
            rec = Record(entry, rec.hash, rec.sig, rec.cosig)
        out.append(rec)
    return out


def test_default_language_follows_the_agency(package: Package) -> None:
    records = package.source.records
    # case.open names no agency here: the lead officer's (Chinese) agency decides
    assert case_agency(records) == "示例市市场监督管理局"
    assert default_report_lang(records) == "zh"
    assert default_report_lang(records, fallback="en") == "zh"
    latin = _with_agency(records, "Example City Market Regulation Bureau")
    assert default_report_lang(latin) == "zh"
    assert default_report_lang(latin, fallback="en") == "en"
    assert default_report_lang(_with_agency(records, ""), fallback="en") == "en"
    assert has_cjk("示例") and has_cjk("ＡＢ局") and not has_cjk("Agency 1")


def test_no_language_given_on_a_c_locale_gives_the_chinese_report(
    package: Package, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "QUZHENG_LANG"):
        monkeypatch.setenv(var, "C")
    summary = build_report(package.source, tmp_path / "r.pdf", binding=package.binding)
    assert summary.lang == "zh"
    text = _run("pdftotext", "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-").stdout
    assert "电子数据提取笔录" in text and "Record of Electronic Data Extraction" not in text
    # the caller may still ask for English
    summary = build_report(package.source, tmp_path / "e.pdf", lang="en", binding=package.binding)
    assert summary.lang == "en"


def test_report_command_without_lang_writes_the_case_language(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.forensics.report.builders import build_full_case

    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "QUZHENG_LANG"):
        monkeypatch.setenv(var, "C")
    work = tmp_path / "work"
    work.mkdir()
    fc = build_full_case(world.home, world.ids, world.lead, world.second, world.stranger, work)
    fc.case.close()
    out = tmp_path / "cli.pdf"
    assert report_command(world.home, fc.case.case_id[:8], out) == 0
    assert "页" in capsys.readouterr().out
    assert "电子数据提取笔录" in _run("pdftotext", "-enc", "UTF-8", str(out), "-").stdout


def test_signature_page_prints_the_fingerprints_the_package_holds(
    package: Package, reports: dict[str, Rendered]
) -> None:
    """Regenerated from the package alone (format 2: tokens under timestamps/, certificates
    under certs/), the report prints the agency CA, every officer and the TSA root."""
    prints = package.source.fingerprints
    assert prints.cas and prints.officers and prints.tsa_roots
    for lang, r in reports.items():
        flat = re.sub(r"[\s:]+", "", r.text)
        for p in prints.all:
            assert p.sha256.upper() in flat, (lang, p)

"""Render the sample report pages in this folder from the demo's package.

    .venv/bin/python docs/report/make_samples.py [--keep DIR] [--live-seconds N]

It runs ``quzheng demo`` into a temporary folder — the practice range and the built-in TSA
on loopback, two officers certified by a demo agency CA, one real capture session in
headless Chromium through the recording proxy (clean-environment check, screenshots,
snapshot, full page, the live room recorded with a mark, traffic sealed as WARC and
derived as HAR), both officers closing it, the export — and renders the report of the
package it exported, from the package alone and bound to its manifest (as
``report/report.pdf`` inside it), in Chinese and in English. Nothing in the ledger is
hand-made. The pages are chosen by their section headings.

Needs /usr/bin/chromium and poppler-utils (pdftoppm, pdftotext). ``--keep DIR`` keeps the
two PDFs and the demo's package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from forensics.package.reader import PackageReader  # noqa: E402
from forensics.report import build_report  # noqa: E402
from forensics.report.labels import label  # noqa: E402
from forensics.report.package_source import package_binding, package_source  # noqa: E402

OUT = Path(__file__).resolve().parent
DPI = 90
# (language, file name, the section heading the page shows; None: page 1, "": the last)
PAGES: tuple[tuple[str, str, str | None], ...] = (
    ("zh", "page-1", None),
    ("zh", "method", "sec.method"),
    ("zh", "process", "sec.process"),
    ("zh", "thumbs", "sec.thumbs"),
    ("zh", "signatures", ""),
    ("en", "page-1", None),
    ("en", "signatures", ""),
)


def run_demo(out: Path, live_seconds: int) -> Path:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QUZHENG_LANG": "en"}
    env.pop("QUZHENG_HOME", None)
    cmd = [sys.executable, "-m", "app.cli", "demo", "--out", str(out)]
    subprocess.run([*cmd, "--live-seconds", str(live_seconds)], env=env, cwd=ROOT, check=True)
    return out / "case.qzp"


def render_package(package: Path, out_dir: Path) -> dict[str, Path]:
    """The package's report in both languages, from the package alone (its ledger, its
    members, the fingerprints it holds, bound to its manifest)."""
    out = {}
    with PackageReader(package) as reader:
        source = package_source(reader)
        binding = package_binding(reader, source)
        for lang in ("zh", "en"):
            summary = build_report(
                source, out_dir / f"report-{lang}.pdf", lang=lang, binding=binding
            )
            print(f"{lang}: {summary.pages} pages, {summary.thumbnails} thumbnails")
            out[lang] = summary.path
    return out


def page_of(pdf: Path, lang: str, heading: str | None) -> int:
    if heading is None:
        return 1
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    pages = pages[:-1] if not pages[-1].strip() else pages
    if heading == "":
        return len(pages)
    want = label(lang, heading)
    return 1 + next(n for n, page in enumerate(pages) if want in page)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="keep the PDFs and the demo's package here")
    ap.add_argument("--live-seconds", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qz-samples-"))
    try:
        package = run_demo(tmp / "demo", args.live_seconds)
        pdfs = render_package(package, tmp)
        for old in OUT.glob("*.png"):
            old.unlink()
        for lang, name, heading in PAGES:
            n = page_of(pdfs[lang], lang, heading)
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(DPI), "-f", str(n), "-l", str(n), "-singlefile",
                 str(pdfs[lang]), str(OUT / f"{lang}-{name}")],
                check=True,
            )  # fmt: skip
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (*pdfs.values(), package):
                shutil.copy2(path, args.keep / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PNG pages written to", OUT, sorted(p.name for p in OUT.glob("*.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The chain-of-custody report of a large case (issue 6 targets).

A case of 1,000 sealed items — 80 screenshots (1280×800 PNG), 10 full pages (1280×6000
PNG), 10 screen-recording segments (5 s of 1280×720 H.264, each with a mark) and 900
traffic segments — every item time-stamped (about 2,000 ledger entries), so the report
has 100 pictures and about 4,000 table rows. The report is made in a child process so its
peak RSS is the report's cost alone.

Baseline, measured in the same run: reportlab alone laying out the same number of plain
table rows (the floor for any report of this size). Targets: the report in < 15 s and
< 300 MB peak RSS; the ratio to the baseline is printed.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks.memory import peak_rss_mb

ROUNDS = 3
PASSPHRASE = "benchmark passphrase"
SCREENSHOTS, FULLPAGES, VIDEOS, OTHERS = 80, 10, 10, 900
ROOT = Path(__file__).resolve().parents[1]


def _png(path: Path, size: tuple[int, int], seed: int) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, (248, 248, 250))
    draw = ImageDraw.Draw(img)
    for y in range(0, size[1], 60):
        shade = (seed * 37 + y) % 200
        draw.rectangle((40, y + 8, size[0] - 40, y + 48), fill=(shade, 120, 200 - shade // 2))
        draw.text((60, y + 20), f"item {seed} row {y}", fill=(255, 255, 255))
    img.save(path, "PNG", compress_level=1)


def _mp4(path: Path, seconds: int = 5, fps: int = 25) -> None:
    import av
    from PIL import Image

    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = 1280, 720
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(fps * 2)}
        for n in range(seconds * fps):
            frame = av.VideoFrame.from_image(Image.new("RGB", (1280, 720), (n * 2 % 255, 90, 160)))
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def build_case(home: Path, work: Path) -> str:
    from forensics.case import Case
    from forensics.identity import IdentityStore, Profile
    from forensics.ledger import ItemSpec, Record

    ids = IdentityStore(home)
    ids.init_officer(Profile("基准", "B0001", "基准市市场监督管理局"), PASSPHRASE)
    ids.init_officer(Profile("基准二", "B0002", "基准市市场监督管理局"), PASSPHRASE)
    lead = ids.unlock("B0001", PASSPHRASE)
    second = ids.unlock("B0002", PASSPHRASE)

    def stamp(case: Case, rec: Record) -> None:
        token = case.store.ingest_stream(io.BytesIO(b"token" + rec.hash.encode()))
        case.ledger.append(
            lead,
            "timestamp",
            {
                "stamped_seq": rec.seq,
                "stamped_hash": rec.hash,
                "tsa_name": "CN=bench TSA",
                "tsa_url": "http://127.0.0.1/tsa",
                "serial": str(rec.seq),
                "gen_time": rec.entry["time"],
                "accuracy_us": 1000,
                "policy": "1.2.3",
            },
            [ItemSpec(token, f"{rec.seq}.tsr", "application/timestamp-reply", "custody")],
        )

    with Case.create(
        home,
        lead,
        title="基准测试案件（1,000 个文件）",
        number="基准〔2026〕1号",
        cause="基准测试",
        target={"platform": "练习靶场", "shop": "基准店铺"},
        location="基准测试机",
        purpose="测量笔录生成的时间与内存",
        officers=[second.officer],
    ) as case:
        session = case.start_session(lead)
        shot = work / "shot.png"
        for i in range(SCREENSHOTS):
            _png(shot, (1280, 800), i)
            rec = case.seal_file(
                lead,
                shot,
                kind="capture.screenshot",
                data={"url": f"https://shop.range.test/p/{i}", "title": f"商品 {i}"},
                session=session,
                name=f"shot-{i:03d}.png",
            )
            stamp(case, rec)
        for i in range(FULLPAGES):
            _png(shot, (1280, 6000), 1000 + i)
            rec = case.seal_file(
                lead,
                shot,
                kind="capture.fullpage",
                data={"url": f"https://shop.range.test/long/{i}"},
                session=session,
                name=f"full-{i:03d}.png",
            )
            stamp(case, rec)
        video = work / "seg.mp4"
        _mp4(video)
        for i in range(VIDEOS):
            # Each segment differs by its last bytes so the blob store keeps ten files.
            data = video.read_bytes() + i.to_bytes(4, "little")
            rec = case.seal_stream(
                lead,
                io.BytesIO(data),
                name=f"seg-{i:03d}.mp4",
                media_type="video/mp4",
                kind="capture.video",
                data={"segment": i},
                session=session,
            )
            stamp(case, rec)
            case.ledger.append(
                lead,
                "mark",
                {
                    "at_us": 3_200_000,
                    "note": f"标记 {i}",
                    "recording_sha256": rec.entry["items"][0]["sha256"],
                },
                session=session,
            )
        for i in range(OTHERS):
            rec = case.seal_stream(
                lead,
                io.BytesIO(b"WARC/1.1\r\n" + os.urandom(2048)),
                name=f"traffic-{i:04d}.warc",
                media_type="application/warc",
                kind="capture.traffic",
                data={
                    "segment": f"traffic-{i:04d}.warc",
                    "records": 20,
                    "urls": [f"https://shop.range.test/api/{i}"],
                    "hosts": ["shop.range.test", "api.range.test"],
                },
                session=session,
            )
            stamp(case, rec)
        case.end_session(session, [lead, second])
        return case.case_id


def report_child(home: str, case_id: str, out: str) -> None:
    """Runs in its own process: the report's time and peak memory alone."""
    from forensics.case import Case
    from forensics.report import ReportSource, build_report

    t0 = time.perf_counter()
    with Case.open(Path(home), case_id, recover=False) as case:
        summary = build_report(ReportSource.from_case(case), Path(out))
    elapsed = time.perf_counter() - t0
    rss_kb = peak_rss_mb() * 1024  # VmHWM: the parent's size does not leak in
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "rss_mb": rss_kb / 1024,
                "pages": summary.pages,
                "thumbnails": summary.thumbnails,
                "failures": summary.thumbnail_failures,
                "bytes": summary.size,
            }
        )
    )


def baseline_child(rows: str, out: str) -> None:
    """reportlab alone: the same number of plain table rows, in the report's own font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from forensics.report.fonts import TEXT_FONT, register_fonts

    t0 = time.perf_counter()
    register_fonts()
    n = int(rows)
    data = [
        [str(i), f"2026-11-28 19:30:{i % 60:02d}", "基准 B0001", f"截图 第 {i} 条 {'a' * 64}"]
        for i in range(n)
    ]
    story = [
        Table(data[i : i + 40], colWidths=[34, 92, 64, 320], repeatRows=0) for i in range(0, n, 40)
    ]
    SimpleDocTemplate(out, pagesize=A4, initialFontName=TEXT_FONT).build(story)
    elapsed = time.perf_counter() - t0
    rss_kb = peak_rss_mb() * 1024  # VmHWM: the parent's size does not leak in
    print(json.dumps({"seconds": elapsed, "rss_mb": rss_kb / 1024}))


def _child(code: str, *args: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    base = os.environ.get("QZ_BENCH_DIR")
    with tempfile.TemporaryDirectory(prefix="qz-bench-report-", dir=base) as d:
        work = Path(d)
        home = work / "home"
        t0 = time.perf_counter()
        case_id = build_case(home, work)
        print(
            f"case of {SCREENSHOTS + FULLPAGES + VIDEOS + OTHERS} items built in {time.perf_counter() - t0:.1f} s"
        )
        reports, baselines = [], []
        rows = 0
        for r in range(ROUNDS):
            res = _child(
                "import sys; from benchmarks.bench_report import report_child; report_child(*sys.argv[1:])",
                str(home),
                case_id,
                str(work / f"report-{r}.pdf"),
            )
            reports.append(res)
            # narrative (every entry) + evidence list + time-stamps + sessions and officers
            rows = rows or 4 * (SCREENSHOTS + FULLPAGES + VIDEOS + OTHERS)
            baselines.append(
                _child(
                    "import sys; from benchmarks.bench_report import baseline_child; baseline_child(*sys.argv[1:])",
                    str(rows),
                    str(work / f"baseline-{r}.pdf"),
                )
            )
    t_rep = statistics.median(r["seconds"] for r in reports)
    t_base = statistics.median(b["seconds"] for b in baselines)
    peak = max(r["rss_mb"] for r in reports)
    last = reports[-1]
    print(
        f"report: {t_rep:.2f} s (median of {ROUNDS}), {int(last['pages'])} pages, "
        f"{int(last['thumbnails'])} thumbnails ({int(last['failures'])} failed), "
        f"{last['bytes'] / 1e6:.1f} MB  (target < 15 s)"
    )
    print(f"peak RSS of the report process: {peak:.0f} MB  (target < 300)")
    print(
        f"baseline (reportlab, {rows} plain rows): {t_base:.2f} s, "
        f"{max(b['rss_mb'] for b in baselines):.0f} MB; ratio report/baseline: {t_rep / t_base:.2f}"
    )
    ok = t_rep < 15 and peak < 300 and last["failures"] == 0 and last["thumbnails"] == 100 + VIDEOS
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The stream as received (issue #18): remuxing an 8 Mbit/s HTTP-FLV live room, period by
period, into playable MP4s by packet copy (``forensics.stream.periods``).

The practice range's HTTP-FLV stream for ``--minutes`` (default 2; ``--minutes 10`` is the
issue's figure), padded to 8 Mbit/s with H.264 filler NAL units as the range does for load
tests (``FlvWriter(filler=…)``), is written as the recording proxy writes an endless
response (WARC/1.1 record segmentation: a first part and one continuation per period of
``--period`` seconds, default 60; plain, uncompressed WARC files). A child process then
derives every period's MP4 as a capture session does, and reads the same files once more
only to pull the response's payload out (the floor: what any reader of the WARC pays).

Target: the remux costs ≤ 0.2 cores (CPU seconds, user + system, over the stream's
seconds). The ratio to the floor and the child's peak RSS are printed.

Run: ``.venv/bin/python -m benchmarks stream`` (``--minutes M``, ``--period S``;
``QZ_BENCH_DIR`` for the scratch folder).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_CORES = 0.2
FLV_KBPS = 8000
FLV_URL = "https://live.range.test/flv/live.flv"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_warcs(work: Path, minutes: float, period_s: int) -> tuple[list[Path], float, int]:
    """The padded FLV as segmented WARC files, one per period; (files, seconds, bytes)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from forensics.range import build_content
    from forensics.range.flv import FlvWriter, filler_per_frame, remux_ts
    from forensics.range.video import encode_ts_segment

    plan = build_content(2026).stream
    count = max(1, round(minutes * 60 / plan.segment_s))
    per_period = max(1, period_s // plan.segment_s)
    writer = FlvWriter(filler=filler_per_frame(FLV_KBPS, plan.fps))
    files: list[Path] = []
    origin = ""
    total = 0
    for part, first in enumerate(range(0, count, per_period)):
        chunk = io.BytesIO()
        for n in range(first, min(count, first + per_period)):
            tags = remux_ts(encode_ts_segment(plan, n))
            if part == 0 and n == 0:
                chunk.write(writer.start(tags))
            chunk.write(b"".join(data for _, data in writer.segment(tags)))
        data = chunk.getvalue()
        total += len(data)
        path = work / f"traffic-{part:05d}.warc"
        with path.open("wb") as f:
            warc = WARCWriter(f, gzip=False)
            last = first + per_period >= count
            if part == 0:
                http = StatusAndHeaders(
                    "200 OK", [("Content-Type", "video/x-flv")], protocol="HTTP/1.1"
                )
                headers = {"WARC-Segment-Number": "1"}
                if last:
                    headers["WARC-Segment-Total-Length"] = str(total)
                rec = warc.create_warc_record(
                    FLV_URL,
                    "response",
                    payload=io.BytesIO(data),
                    length=len(data),
                    http_headers=http,
                    warc_headers_dict=headers,
                )
                origin = rec.rec_headers.get_header("WARC-Record-ID")
            else:
                headers = {"WARC-Segment-Number": str(part + 1), "WARC-Segment-Origin-ID": origin}
                if last:
                    headers["WARC-Segment-Total-Length"] = str(total)
                rec = warc.create_warc_record(
                    FLV_URL,
                    "continuation",
                    payload=io.BytesIO(data),
                    length=len(data),
                    warc_headers_dict=headers,
                )
            warc.write_record(rec)
        files.append(path)
    return files, count * plan.segment_s, total


def child(work: str) -> None:
    """Remux every period (as a session does), then read the payload alone (the floor)."""
    from benchmarks.memory import peak_rss_mb
    from forensics.stream.periods import StreamPeriods
    from forensics.stream.warcparts import stream_parts

    files = sorted(Path(work).glob("traffic-*.warc"))
    periods = StreamPeriods(Path(work) / "tmp")
    cpu0, t0 = _cpu(), time.perf_counter()
    per_period: list[dict[str, float]] = []
    packets = 0
    for path in files:
        c, t = _cpu(), time.perf_counter()
        with path.open("rb") as f:
            made = periods.period(f, path.name)
        for stream in made:
            media = stream.data["media"]
            packets += media["video"]["packets"] + media["audio"]["packets"]
            stream.mp4.unlink()
        per_period.append({"cpu": _cpu() - c, "wall": time.perf_counter() - t})
    remux_cpu, remux_wall = _cpu() - cpu0, time.perf_counter() - t0
    cpu1 = _cpu()
    read = 0
    for path in files:
        with path.open("rb") as f:
            for _, payload in stream_parts(f, path.name):
                while chunk := payload.read(1 << 20):
                    read += len(chunk)
    floor_cpu = _cpu() - cpu1
    print(
        json.dumps(
            {
                "remux_cpu": remux_cpu,
                "remux_wall": remux_wall,
                "floor_cpu": floor_cpu,
                "periods": per_period,
                "packets": packets,
                "errors": periods.errors,
                "read": read,
                "rss_mb": peak_rss_mb(),
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_stream")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--period", type=int, default=60)
    parser.add_argument("--child", default="")
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        child(args.child)
        return 0
    base = os.environ.get("QZ_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="qz-bench-stream-", dir=base) as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        files, seconds, size = make_warcs(work, args.minutes, args.period)
        print(
            f"stream: {seconds} s, {size / 1e6:.1f} MB ({size * 8 / seconds / 1e6:.2f} Mbit/s) "
            f"in {len(files)} period(s) of {args.period} s; made in {time.perf_counter() - t:.1f} s"
        )
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_stream", "--child", str(work)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr[-4000:])
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
    cores = r["remux_cpu"] / seconds
    worst = max(p["cpu"] for p in r["periods"])
    print(
        f"remux: {r['remux_cpu']:.2f} CPU s ({r['remux_wall']:.2f} s wall) for {seconds} s of "
        f"stream = {cores:.3f} cores (target <= {TARGET_CORES}); {r['packets']} packets copied"
    )
    print(
        f"floor (payload read only): {r['floor_cpu']:.2f} CPU s; remux/floor = "
        f"{r['remux_cpu'] / max(r['floor_cpu'], 1e-6):.1f}x; worst period {worst:.2f} CPU s; "
        f"child peak RSS {r['rss_mb']:.0f} MB"
    )
    ok = cores <= TARGET_CORES and not r["errors"] and r["read"] == size
    if r["errors"]:
        print("errors:", r["errors"])
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

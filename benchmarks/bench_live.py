"""A live room through the recording proxy (issue #18): the practice range's endless
HTTP-FLV response at 8 Mbit/s, sealed period by period while it runs.

One viewer reads ``https://live.range.test/flv/live.flv`` through the recording proxy for
``--minutes`` (default 1; ``--minutes 10`` is the issue's figure). The range pads its
stream to 8 Mbit/s with H.264 filler NAL units (``RangeServer(flv_kbps=8000)``). Traffic
segments roll every ``--period`` seconds (default: a third of the run, at most 60 s, so
10 minutes give 60-second periods); each closed segment is sealed at once into a real case
as ``capture.traffic`` and time-stamped by the built-in TSA, as a capture session does, then
removed from the work folder. At the end the range stops, which ends the response cleanly.

Targets:

- no gap: the bytes the range served equal the bytes the viewer received, and the
  segmented record rebuilt from the sealed segments holds exactly those bytes; the FLV's
  video timestamps advance one frame at a time from first to last (the range never had to
  move the viewer to the live edge);
- the proxy's peak RSS (VmHWM) < 300 MB;
- every period sealed and time-stamped within 5 s of its end.

The proxy's CPU (user + system over the run, in cores) is reported. The stream remux into
playable MP4 (another part of the issue, ≤ 0.2 cores) is not measured here.

Run: ``.venv/bin/python -m benchmarks live`` (``QUZHENG_BENCH_LIVE_MINUTES`` or
``--minutes M``; ``--period S``; ``QZ_BENCH_DIR`` for the scratch folder).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import os
import queue
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from forensics.capture.controller import RecordingProxy, SegmentInfo

if TYPE_CHECKING:
    from forensics.case import Case
    from forensics.identity import Signer

PASSPHRASE = "benchmark passphrase"
KBPS = 8000
TARGET_RSS = 300 * 1000 * 1000
TARGET_SEAL_S = 5.0
READ = 1 << 20


@dataclass
class Viewer:
    """Reads the endless response, hashing it and following its FLV video timestamps."""

    proxy: RecordingProxy
    host: str
    received: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    video_ms: list[int] = field(default_factory=list)
    error: BaseException | None = None
    _buf: bytearray = field(default_factory=bytearray)
    _header_done: bool = False

    def run(self) -> None:
        assert self.proxy.ca is not None
        ctx = ssl.create_default_context(cafile=str(self.proxy.ca.cert_path))
        conn = http.client.HTTPSConnection("127.0.0.1", self.proxy.port, context=ctx, timeout=60)
        auth = {"Proxy-Authorization": self.proxy.proxy_authorization}
        conn.set_tunnel(self.host, 443, headers=auth)
        try:
            conn.request("GET", "/flv/live.flv")
            resp = conn.getresponse()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}")
            while data := resp.read1(READ):
                self.received += len(data)
                self.digest.update(data)
                self._tags(data)
        except BaseException as exc:  # reported by the benchmark
            self.error = exc
        finally:
            conn.close()

    def _tags(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        at = 0
        if not self._header_done:
            if len(buf) < 13:
                return
            at, self._header_done = 13, True
        while at + 11 <= len(buf):
            size = int.from_bytes(buf[at + 1 : at + 4], "big")
            end = at + 11 + size + 4
            if end > len(buf):
                break
            if buf[at] == 9 and buf[at + 12] == 1:  # an AVC NALU tag (not a sequence header)
                ts = int.from_bytes(buf[at + 4 : at + 7], "big") | buf[at + 7] << 24
                self.video_ms.append(ts)
            at = end
        del buf[:at]


def _setup_case(home: Path) -> tuple[Case, Signer]:
    from forensics.case import Case
    from forensics.identity import IdentityStore, Profile

    ids = IdentityStore(home)
    ids.init_officer(Profile("基准", "B0001", "bench"), PASSPHRASE)
    ids.init_officer(Profile("基准二", "B0002", "bench"), PASSPHRASE)
    signer = ids.unlock("B0001", PASSPHRASE)
    case = Case.create(home, signer, title="直播间基准", officers=[ids.officer("B0002")])
    return case, signer


def _utc(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Sealed:
    info: SegmentInfo
    period_end: float
    sealed_at: float
    parts: list[dict[str, object]]


def _sealer(
    home: Path, arrived: queue.Queue[SegmentInfo | None], out: list[Sealed], tsa_url: str,
    tsa_root: bytes, period: float, keep: Path, failures: list[str],
) -> None:  # fmt: skip
    """Seals each closed segment as the capture session does (its own thread, own case)."""
    from forensics.case import SealItem
    from forensics.stamping import TsaConfig, stamp_pending

    case, signer = _setup_case(home)
    stamps = TsaConfig((tsa_url,), (tsa_root,))
    try:
        while (info := arrived.get()) is not None:
            started, ended = _utc(info.started), _utc(info.ended)
            # A segment rolled by time ends when its period is up; the last one at the stop.
            period_end = started + period if ended >= started + period - 0.5 else ended
            case.seal(
                signer,
                "capture.traffic",
                info.ledger_data(),
                [SealItem(info.path.name, "application/warc", path=info.path)],
                folder="archive",
            )
            outcome = stamp_pending(case, signer, stamps)
            if outcome.pending:
                failures.append(f"{info.path.name}: not time-stamped ({outcome.reason_en})")
            sealed_at = time.time()
            parts = [p.to_json() for p in info.partials]
            if parts:  # the stream's parts are kept for the check; the rest is done with
                info.path.rename(keep / info.path.name)
            else:
                info.path.unlink()
            out.append(Sealed(info, period_end, sealed_at, parts))
    except Exception as exc:  # reported as a failure of the benchmark
        failures.append(f"sealing failed: {exc}")
    finally:
        case.close()


def _rebuilt(keep: Path, sealed: list[Sealed], uri: str, prefix: int) -> tuple[int, str, str]:
    """The stream's segmented record rebuilt from the kept segments: its payload length,
    the SHA-256 of its first ``prefix`` bytes, and of all of it (digests checked)."""
    from warcio.archiveiterator import ArchiveIterator

    parts: dict[int, tuple[Path, str]] = {}
    for s in sealed:
        for p in s.parts:
            if p["uri"] == uri:
                parts[int(str(p["segment_number"]))] = (
                    keep / s.info.path.name,
                    str(p["record_id"]),
                )
    whole = hashlib.sha256()
    head = hashlib.sha256()
    length = 0
    for number in range(1, len(parts) + 1):
        path, record_id = parts[number]
        with path.open("rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                if record.rec_headers.get_header("WARC-Record-ID") != record_id:
                    record.raw_stream.read()
                    continue
                while data := record.raw_stream.read(READ):
                    whole.update(data)
                    take = data[: max(0, prefix - length)]
                    head.update(take)
                    length += len(data)
    return length, head.hexdigest(), whole.hexdigest()


def run(minutes: float, period: float, scratch: Path) -> bool:
    from forensics.range import DOMAIN, LIVE_HOST, RangeServer
    from forensics.timestamp import TsaServer

    uri = f"https://{LIVE_HOST}/flv/live.flv"
    keep = scratch / "sealed-stream"
    keep.mkdir()
    arrived: queue.Queue[SegmentInfo | None] = queue.Queue()
    sealed: list[Sealed] = []
    failures: list[str] = []
    with TsaServer(scratch / "tsa") as tsa:
        sealer = threading.Thread(
            target=_sealer,
            args=(scratch / "home", arrived, sealed, tsa.url,
                  tsa.trust_anchor_path.read_bytes(), period, keep, failures),
            name="sealer",
        )  # fmt: skip
        sealer.start()
        server = RangeServer(scratch / "range", seed=2026, flv_kbps=KBPS)
        server.start()
        try:
            with RecordingProxy(
                scratch / "work",
                scratch / "conf",
                map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
                upstream_cas=[server.ca_cert_path],
                segment_seconds=period,
                operator="benchmark",
                on_segment=arrived.put,
            ) as proxy:
                viewer = Viewer(proxy, LIVE_HOST)
                reader = threading.Thread(target=viewer.run, name="viewer")
                cpu0, t0 = _cpu_seconds(proxy.pid), time.monotonic()
                reader.start()
                end = t0 + minutes * 60
                while time.monotonic() < end and reader.is_alive():
                    time.sleep(1)
                rss = _peak_rss(proxy.pid)
                served_before_stop = server.flv_bytes_sent
                server.stop()  # ends the response cleanly: the viewer reads it to its end
                reader.join(60)
                cpu = (_cpu_seconds(proxy.pid) - cpu0) / (time.monotonic() - t0)
                proxy.stop()
        finally:
            server.stop()
            arrived.put(None)
            sealer.join()
    served = server.flv_bytes_sent
    length, head, whole = _rebuilt(keep, sealed, uri, viewer.received)
    steps = {b - a for a, b in zip(viewer.video_ms, viewer.video_ms[1:], strict=False)}
    frame_ms = {100}  # the range's 10 fps: 100 ms per frame, never more
    latencies = [s.sealed_at - s.period_end for s in sealed]
    ok_gap = (
        viewer.error is None
        and served == viewer.received == length
        and head == whole == viewer.digest.hexdigest()
        and bool(viewer.video_ms)
        and steps <= frame_ms
    )
    ok_rss = 0 < rss < TARGET_RSS
    ok_seal = bool(latencies) and max(latencies) <= TARGET_SEAL_S and not failures
    seconds = minutes * 60
    print(
        f"stream: {seconds:.0f} s, served {served / 1e6:.1f} MB "
        f"({served * 8 / seconds / 1e6:.2f} Mbit/s; {served_before_stop / 1e6:.1f} MB before "
        f"the stop), received {viewer.received / 1e6:.1f} MB, rebuilt from the sealed "
        f"segments {length / 1e6:.1f} MB; video frames {len(viewer.video_ms)}, "
        f"steps {sorted(steps)} ms; error {viewer.error!r} "
        f"{'OK' if ok_gap else 'MISS'}"
    )
    stream_parts = sum(1 for s in sealed for p in s.parts if p["uri"] == uri)
    print(
        f"periods: {len(sealed)} segment(s) of {period:.0f} s sealed and time-stamped, "
        f"{stream_parts} part(s) of the stream; seal latency after the period's end "
        f"max {max(latencies, default=0):.2f} s, "
        f"mean {sum(latencies) / max(1, len(latencies)):.2f} s "
        f"(target <= {TARGET_SEAL_S:.0f} s) {'OK' if ok_seal else 'MISS'}"
    )
    for failure in failures:
        print(f"  {failure}")
    print(
        f"proxy: peak RSS {rss / 1e6:.0f} MB (target < {TARGET_RSS / 1e6:.0f} MB) "
        f"{'OK' if ok_rss else 'MISS'}; CPU {cpu:.2f} cores"
    )
    return ok_gap and ok_rss and ok_seal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_live")
    parser.add_argument(
        "--minutes",
        type=float,
        default=float(os.environ.get("QUZHENG_BENCH_LIVE_MINUTES", "1")),
    )
    parser.add_argument("--period", type=float, default=0.0, help="segment period, seconds")
    args = parser.parse_args([] if argv is None else argv)
    minutes: float = max(0.1, args.minutes)
    period: float = args.period or min(60.0, minutes * 60 / 3)
    base = os.environ.get("QZ_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="bench-live-", dir=base) as tmp:
        ok = run(minutes, period, Path(tmp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

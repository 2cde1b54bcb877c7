"""Small WARC segments for tests, written by the proxy's own segment writer."""

from __future__ import annotations

import json
import time
from pathlib import Path

from forensics.capture.warc import Block, RecordPlan, SegmentWriter, warc_date


def write_segment(
    work_dir: Path,
    run_id: str,
    exchanges: list[tuple[str, str, bytes]],
    *,
    tls: list[dict[str, object]] = (),  # type: ignore[assignment]
    close: bool = True,
) -> Path:
    """A segment with one response record per (url, ip, body), and TLS metadata records.
    ``close=False`` leaves it open, as a proxy that died would."""
    writer = SegmentWriter(
        work_dir,
        run_id,
        time.time(),
        lambda name, seq: [("software", "test"), ("isPartOf", f"test-{run_id}")],
        segment_seconds=3600,
        segment_bytes=1 << 30,
    )
    for payload in tls:
        body = json.dumps(payload).encode()
        plan = RecordPlan(
            rtype="metadata",
            target_uri=f"https://{payload['host']}:{payload['port']}/",
            date=warc_date(time.time()),
            content_type="application/json",
            extra=[("Quzheng-Metadata", "tls-server-certificate")],
        )
        writer.write_group(
            len(body), lambda seq, p=plan, b=body: [(p, Block.from_bytes(b"", b, payload=False))]
        )
    for url, ip, body in exchanges:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
        )
        plan = RecordPlan(
            rtype="response",
            target_uri=url,
            date=warc_date(time.time()),
            content_type="application/http; msgtype=response",
            extra=[("WARC-IP-Address", ip)],
        )
        writer.write_group(
            len(body),
            lambda seq, p=plan, h=head, b=body: [(p, Block.from_bytes(h, b, payload=True))],
        )
        writer.note(url, None)
    seg = writer.current
    assert seg is not None
    if close:
        writer.roll()
        return seg.final_path
    writer.abandon()
    return seg.open_path

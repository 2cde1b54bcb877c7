"""A live stream sealed part by part beside a page (WARC 1.1 record segmentation, issue #18),
recorded through the real recording proxy from the practice range: what the interop tests
hand to third-party replay tools (ReplayWeb.page, pywb).

The endless HTTP-FLV response runs across several 2-second traffic segments, so its first
part is a ``response`` record in segment 1 and later parts are ``continuation`` records; the
shop page is fetched once the first part is sealed, so it lands in a later segment beside a
continuation."""

from __future__ import annotations

import queue
import re
import time
from dataclasses import dataclass
from pathlib import Path

from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.range import DOMAIN, LIVE_HOST, SHOP_HOST, RangeServer
from tests.forensics.capture.conftest import Fetched, fetch
from tests.forensics.capture.streaming import EndlessReader, through_proxy

FLV_URL = f"https://{LIVE_HOST}/flv/live.flv"
SHOP_URL = f"https://{SHOP_HOST}/"


@dataclass
class SegmentedCapture:
    segments: list[SegmentInfo]
    """The closed traffic segments, in the order the proxy reported them."""
    page: Fetched
    """The shop page as the client received it while the stream ran."""
    stream: bytes
    """Every byte of the stream the client received before it hung up."""

    @property
    def warcs(self) -> list[Path]:
        return [info.path for info in self.segments]


def record_segmented_stream(tmp_path: Path) -> SegmentedCapture:
    """About 10 s: the range's live room and shop through a ``RecordingProxy`` whose segments
    close every 2 s; asserts the stream was cut into at least three parts."""
    arrived: queue.Queue[SegmentInfo] = queue.Queue()
    with (
        RangeServer(tmp_path / "range", seed=2026) as server,
        RecordingProxy(
            tmp_path / "work",
            tmp_path / "conf",
            map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
            upstream_cas=[server.ca_cert_path],
            segment_seconds=2.0,
            operator="测试员 (TEST-0001)",
            on_segment=arrived.put,
        ) as proxy,
    ):
        viewer = EndlessReader(through_proxy(proxy, LIVE_HOST), "/flv/live.flv").start()
        viewer.wait_for(13)
        time.sleep(2.5)  # the stream's first part is sealed in segment 1
        page = fetch(proxy, SHOP_HOST, "/")  # in a later segment, beside a continuation
        assert page.status == 200
        time.sleep(4.5)
        stream = viewer.stop()
    segments: list[SegmentInfo] = []
    while not arrived.empty():
        segments.append(arrived.get())
    assert sum(1 for i in segments for p in i.partials if p.uri == FLV_URL) >= 3
    return SegmentedCapture(segments, page, stream)


def heading_text(body: bytes) -> str:
    """The text of a page's first ``<h1>``, tags removed: what a replay must show."""
    heading = re.search(rb"<h1[^>]*>(.*?)</h1>", body, re.S)
    assert heading is not None
    return re.sub(r"<[^>]+>", "", heading[1].decode()).strip()

"""A package whose traffic holds a live stream sealed part by part (WARC 1.1 record
segmentation, issue #18) still replays in ReplayWeb.page: a shop page fetched while the
endless HTTP-FLV response ran across several traffic segments is replayed as archived, and
the WACZ index lists the stream once (its first part), never a continuation."""

from __future__ import annotations

import json
import queue
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from app.reporting import report_hook
from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.case import Case, SealItem
from forensics.package import export_package
from forensics.range import DOMAIN, LIVE_HOST, SHOP_HOST, RangeServer
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from tests.conftest import World
from tests.forensics.capture.conftest import fetch
from tests.forensics.capture.streaming import EndlessReader, through_proxy
from tests.interop.replay import open_in_replaywebpage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("replay_ready"),
    # cdxj_indexer's record spools are never closed (a third-party leak at export).
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]

FLV = f"https://{LIVE_HOST}/flv/live.flv"


def test_page_beside_a_segmented_stream_replays(
    world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    stamps = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),))
    arrived: queue.Queue[SegmentInfo] = queue.Queue()
    with (
        RangeServer(tmp_path / "range", seed=2026) as server,
        Case.create(
            world.home,
            world.lead,
            title="直播间销售假冒商品案",
            number="示市监案〔2026〕18号",
            cause="涉嫌销售侵犯注册商标专用权的商品",
            location="示例市市场监督管理局 取证室",
            purpose="固定直播间销售假冒商品的电子数据",
            officers=[world.second.officer],
        ) as case,
    ):
        with RecordingProxy(
            tmp_path / "work",
            tmp_path / "conf",
            map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
            upstream_cas=[server.ca_cert_path],
            segment_seconds=2.0,
            operator="测试员 (TEST-0001)",
            on_segment=arrived.put,
        ) as proxy:
            viewer = EndlessReader(through_proxy(proxy, LIVE_HOST), "/flv/live.flv").start()
            viewer.wait_for(13)
            time.sleep(2.5)  # the stream's first part is sealed in segment 1
            page = fetch(proxy, SHOP_HOST, "/")  # in a later segment, beside a continuation
            assert page.status == 200
            time.sleep(4.5)
            viewer.stop()
        infos: list[SegmentInfo] = []
        while not arrived.empty():
            infos.append(arrived.get())
        assert sum(1 for i in infos for p in i.partials if p.uri == FLV) >= 3
        for info in infos:
            case.seal(
                world.lead,
                "capture.traffic",
                info.ledger_data(),
                [SealItem(info.path.name, "application/warc", path=info.path)],
                folder="archive",
            )
        out = tmp_path / "case.qzp"
        export_package(case, world.lead, out, tsa=stamps, report=report_hook("zh"))
        assert stamp_pending(case, world.lead, stamps).pending == 0

    with zipfile.ZipFile(out) as zf:
        index = zf.read("indexes/index.cdxj").decode()
    flv = [json.loads(x.split(" ", 2)[2]) for x in index.splitlines() if "live.flv" in x]
    assert len(flv) == 1 and flv[0]["status"] == "200"
    wacz = tmp_path / "case.wacz"
    shutil.copyfile(out, wacz)
    heading = re.search(rb"<h1[^>]*>(.*?)</h1>", page.body, re.S)
    assert heading is not None
    text = re.sub(r"<[^>]+>", "", heading[1].decode()).strip()
    url = f"https://{SHOP_HOST}/"
    replay = open_in_replaywebpage(wacz, url, expect_text=text)
    assert text in replay.text, replay.text
    assert replay.frame_url.endswith("mp_/" + url)

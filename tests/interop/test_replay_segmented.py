"""A package whose traffic holds a live stream sealed part by part (WARC 1.1 record
segmentation, issue #18) still replays in ReplayWeb.page: a shop page fetched while the
endless HTTP-FLV response ran across several traffic segments is replayed as archived, and
the WACZ index lists the stream once (its first part), never a continuation."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from app.reporting import report_hook
from forensics.case import Case, SealItem
from forensics.package import export_package
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from tests.conftest import World
from tests.interop.replay import open_in_replaywebpage
from tests.interop.segmented import SHOP_URL, heading_text, record_segmented_stream

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("replay_ready"),
    # cdxj_indexer's record spools are never closed (a third-party leak at export).
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]


def test_page_beside_a_segmented_stream_replays(
    world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    stamps = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),))
    capture = record_segmented_stream(tmp_path)
    with Case.create(
        world.home,
        world.lead,
        title="直播间销售假冒商品案",
        number="示市监案〔2026〕18号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        location="示例市市场监督管理局 取证室",
        purpose="固定直播间销售假冒商品的电子数据",
        officers=[world.second.officer],
    ) as case:
        for info in capture.segments:
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
    text = heading_text(capture.page.body)
    replay = open_in_replaywebpage(wacz, SHOP_URL, expect_text=text)
    assert text in replay.text, replay.text
    assert replay.frame_url.endswith("mp_/" + SHOP_URL)

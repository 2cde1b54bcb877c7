"""pywb 2.10 reads traffic WARCs holding a live stream sealed part by part (WARC 1.1 record
segmentation, issue #18) without an error, and replays the page fetched beside the stream as
archived. What it makes of the stream itself depends on the index (docs/package-format.md
§4.4), and this test pins both:

* ``wb-manager add`` of the bare WARCs: pywb's indexer lists every ``continuation`` as one
  more capture of the stream's URL at the same time (mime ``unk``, no status). Those lines
  sort before the response's (``"mime": "unk"`` < ``"mime": "video/x-flv"``), so pywb
  replays the URL as one continuation's block alone: status 200, no Content-Type, a middle
  slice of the stream — neither part 1 nor the joined stream.
* the index ``cdxj-indexer`` writes, as a package's ``indexes/index.cdxj`` is: the stream is
  listed once, and pywb replays part 1 (the response's head and its first period's bytes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.forensics.capture.streaming import read_series
from tests.interop.segmented import FLV_URL, SHOP_URL, heading_text, record_segmented_stream
from tests.interop.wayback import add_with_cdxj_indexer, add_with_wb_manager, wayback

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("pywb_ready")]


def test_pywb_reads_a_segmented_stream(tmp_path: Path) -> None:
    capture = record_segmented_stream(tmp_path / "capture")
    series = read_series(capture.warcs, FLV_URL)
    first, continuations = series.parts[0], series.parts[1:]
    assert continuations

    root = tmp_path / "pywb"
    root.mkdir()
    added = add_with_wb_manager(root, "bare", capture.warcs)
    assert "error" not in added.lower() and "traceback" not in added.lower(), added
    add_with_cdxj_indexer(root, "indexed", capture.warcs)

    archived, heading = capture.page.body, heading_text(capture.page.body)
    with wayback(root) as pywb:
        for coll in ("bare", "indexed"):  # the page beside the stream, as archived
            page = pywb.get(f"/{coll}/2026id_/{SHOP_URL}")  # id_: the archived bytes
            assert page.status == 200 and page.body == archived
            assert page.headers["Content-Type"] == "text/html; charset=utf-8"
            shown = pywb.get(f"/{coll}/2026mp_/{SHOP_URL}")  # mp_: rewritten for replay
            assert shown.status == 200
            assert heading in shown.body.decode()

        # pywb's indexer: part 1 as the response, each continuation as one more capture.
        lines = pywb.cdx("bare", FLV_URL)
        assert len(lines) == len(series.parts)
        assert {x["timestamp"] for x in lines} == {lines[0]["timestamp"]}
        responses = [x for x in lines if x.get("status") == "200"]
        assert len(responses) == 1 and responses[0]["mime"] == "video/x-flv"
        assert responses[0]["filename"] == first.file
        others = [x for x in lines if x is not responses[0]]
        assert all(x["mime"] == "unk" and "status" not in x for x in others)
        assert sorted(x["filename"] for x in others) == sorted(p.file for p in continuations)
        assert lines[0] is not responses[0]  # a continuation's line comes first

        # ... so the stream's URL replays as that continuation's block alone.
        stream = pywb.get(f"/bare/2026id_/{FLV_URL}")
        assert stream.status == 200 and stream.headers["Content-Type"] is None
        served = [p for p in series.parts if p.payload == stream.body]
        assert [p.file for p in served] == [lines[0]["filename"]]
        assert served[0].rtype == "continuation" and served[0].number > 1
        assert stream.body != first.payload and len(stream.body) < len(series.payload)

        # The package's kind of index: the stream once, replayed as part 1.
        lines = pywb.cdx("indexed", FLV_URL)
        assert [(x["status"], x["mime"], x["filename"]) for x in lines] == [
            ("200", "video/x-flv", first.file)
        ]
        stream = pywb.get(f"/indexed/2026id_/{FLV_URL}")
        assert stream.status == 200 and stream.headers["Content-Type"] == "video/x-flv"
        assert stream.body == first.payload

        assert pywb.problems() == []

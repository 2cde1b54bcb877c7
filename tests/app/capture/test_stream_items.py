"""The session's stream hook (``app.capture.stream_items``) on a real case and sealer: a
stream whose first part was sealed by one session and whose continuation is recovered by
the next (after a crash) is still remuxed from the ledger's earlier WARC, and nothing is
derived once the hook is closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.capture.sealer import Item, Sealer
from app.capture.stream_items import StreamItems
from forensics.case import Case
from forensics.ledger import Record
from tests.conftest import World
from tests.forensics.stream.rangestream import (
    assert_playable,
    media_tags,
    mp4_packets,
    range_flv,
    segmented_warcs,
)


def seal_traffic(sealer: Sealer, kind: str, warc: Path) -> Record:
    data = {
        "segment": warc.name,
        "started": "2026-12-01T10:00:00.000000Z",
        "ended": "2026-12-01T10:01:00.000000Z",
    }
    folder = "archive"
    return sealer.seal_items(
        kind, data, [Item(warc.name, "application/warc", path=warc)], folder=folder
    ).result(30)


def hooked(case: Case, world: World, tmp_path: Path, name: str) -> tuple[Sealer, StreamItems]:
    sealer = Sealer(case, world.lead)
    items = StreamItems(case, sealer, tmp_path / name, warn=pytest.fail)
    sealer.on_record = items.on_record
    return sealer, items


def test_a_recovered_continuation_is_remuxed_from_the_earlier_sealed_part(
    case: Case, world: World, tmp_path: Path
) -> None:
    flv = range_flv(4, 6)
    first, rest = segmented_warcs(tmp_path, flv, [len(flv) // 2 + 5])

    sealer, items = hooked(case, world, tmp_path, "a")
    seal_traffic(sealer, "capture.traffic", first)
    assert items.drain(60)
    items.close()  # the session dies here: the hook and its memory are gone
    seal_traffic(sealer, "capture.traffic", first)  # closed: nothing derived from this
    sealer.drain(30)
    sealer.close()

    sealer, items = hooked(case, world, tmp_path, "b")  # the next session's recovery
    seal_traffic(sealer, "capture.recovered", rest)
    assert items.drain(60)
    items.close()
    sealer.close()

    streams = [r for r in case.ledger.records() if r.kind == "capture.stream"]
    assert len(streams) == 2
    before, after = streams
    kinds = {r.seq: r.kind for r in case.ledger.records()}
    assert kinds[before.data["parent"]["seq"]] == "capture.traffic"
    assert kinds[after.data["parent"]["seq"]] == "capture.recovered"
    (source,) = after.data["sources"]
    assert source["segment_number"] == 2 and source["payload_from"] == len(flv) // 2 + 5
    assert source["origin_id"] == before.data["response_record"]
    # The new hook found the tag boundary, the headers and the last picture group again.
    assert after.data["flv"]["carried_from_previous_period"]["tags"] > 0
    assert after.data["flv"]["lead_not_copied"]["tags"] == 0
    total = sum(
        s.data["flv"]["copied"]["tags"] + s.data["flv"]["lead_not_copied"]["tags"] for s in streams
    )
    assert total == len(media_tags(flv))
    for stream in streams:
        mp4 = case.store.blob_path(stream.items[0].sha256)
        assert_playable(mp4)
        assert mp4_packets(mp4)[2]  # starts on a key frame

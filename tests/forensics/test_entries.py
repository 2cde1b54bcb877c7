"""Typed read-only views of ledger entries (forensics/entries.py), on real and hostile records."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from forensics.canonical import parse_time
from forensics.case import Case, SealItem
from forensics.entries import Item
from forensics.ledger import parse_record
from tests.conftest import World


def test_views_of_a_real_record(case: Case, world: World) -> None:
    session = case.open_session(world.lead).session
    assert session is not None
    body = b"<html>evidence</html>"
    rec = case.seal(
        world.lead,
        "capture.snapshot",
        {"url": "https://example.test/", "count": 3, "flag": True},
        [SealItem("dom.html", "text/html", data=body)],
        session=session,
    )
    rec = parse_record(rec.line())  # as any reader sees it
    entry = rec.entry
    assert rec.time == entry["time"] and rec.when == parse_time(entry["time"])
    assert isinstance(rec.when, datetime)
    assert rec.case_id == case.case_id == entry["case"]
    assert rec.prev == entry["prev"] and rec.prev is not None
    assert rec.session == session == entry["session"]
    assert rec.actor_key == world.lead.officer.key_fp == entry["actor"]["key"]
    assert rec.actor_name == entry["actor"]["name"] and rec.actor_name
    assert rec.actor_badge == entry["actor"]["badge"] and rec.actor_badge
    assert dict(rec.actor) == entry["actor"]
    assert dict(rec.data) == entry["data"]
    assert rec.data_str("url") == "https://example.test/"
    assert rec.data_str("count") == "" and rec.data_str("missing", "-") == "-"
    assert rec.data_int("count") == 3
    assert rec.data_int("flag") is None and rec.data_int("url") is None
    with pytest.raises(TypeError):
        rec.data["url"] = "changed"  # type: ignore[index]
    (item,) = rec.items
    raw = entry["items"][0]
    assert item == Item(
        path=raw["path"],
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        sm3=raw["sm3"],
        media_type="text/html",
    )
    assert item.name == raw["path"].rsplit("/", 1)[-1] and item.name.endswith("dom.html")
    opener = case.ledger.records()[0]
    assert opener.session is None and opener.prev is None and opener.items == ()


def _hostile(**entry: object) -> str:
    base: dict[str, object] = {"seq": 1, "kind": "note", "prev": "x", "case": "c"}
    base.update(entry)
    return json.dumps({"entry": base, "hash": "h", "sig": {}})


@pytest.mark.parametrize(
    "entry",
    [
        {"actor": {"key": 5, "name": None, "badge": []}, "items": "nope", "data": [1, 2]},
        {"actor": {"key": "k"}, "items": [], "data": "text", "time": 7, "session": 9},
        {"actor": {"key": "k"}, "items": None, "data": None, "time": "yesterday"},
        {
            "actor": {"key": "k"},
            "data": {"url": 1, "n": "2", "b": False},
            "items": [
                None,
                "evidence/x",
                {},
                {"path": ""},
                {"path": 3, "size": 1},
                {"path": "evidence/a", "size": "10", "sha256": 1, "sm3": None},
                {"path": "evidence/b", "size": True, "media_type": ["x"]},
                {"path": "evidence/c", "size": -4},
                {"path": "evidence/d", "size": 12, "sha256": "s", "sm3": "m", "media_type": "t"},
            ],
        },
    ],
)
def test_hostile_records_give_safe_values(entry: dict[str, object]) -> None:
    rec = parse_record(_hostile(**entry))
    assert isinstance(rec.time, str) and rec.when is None
    assert rec.session is None
    assert isinstance(rec.actor_key, str) and rec.actor_name == "" and rec.actor_badge == ""
    assert rec.data_str("url") == "" and rec.data_int("n") is None and rec.data_int("b") is None
    assert all(isinstance(v, str) for v in (rec.case_id, rec.prev))
    for it in rec.items:
        assert isinstance(it.path, str) and it.path and isinstance(it.size, int) and it.size >= 0
        assert all(isinstance(v, str) for v in (it.sha256, it.sm3, it.media_type))
    if isinstance(entry.get("items"), list) and entry["items"]:  # mostly malformed items
        assert [i.path for i in rec.items] == [f"evidence/{c}" for c in "abcd"]
        assert [i.size for i in rec.items] == [0, 0, 0, 12]
        assert rec.items[0].sha256 == "" and rec.items[1].media_type == ""
        assert rec.items[3] == Item("evidence/d", 12, "s", "m", "t")
    else:
        assert rec.items == () and dict(rec.data) == {}  # data is not an object


def test_actor_not_an_object_is_refused_by_the_parser_not_the_view() -> None:
    from forensics.errors import InputError

    with pytest.raises(InputError):
        parse_record(_hostile(actor="me", items=[]))

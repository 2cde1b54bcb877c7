"""HAR 1.2 views of sealed traffic: real proxy, real case, real seals, real verification."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.har_derive import HAR_DERIVATION, seal_traffic_hars
from forensics.ledger import Record
from forensics.ledger_checks import verify_case_dir
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World
from tests.forensics.capture.conftest import PAGE, UPSTREAM_SUFFIX, fetch, websocket_exchange

Factory = Callable[..., RecordingProxy]
SHOP = f"shop.{UPSTREAM_SUFFIX}"
LIVE = f"live.{UPSTREAM_SUFFIX}"
BIG = 50 * 1024 * 1024
NO_PROC = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads memory use from /proc (Linux)"
)


def _record(proxy_factory: Factory, exercise: Callable[[RecordingProxy], None]) -> list[Path]:
    segments: list[SegmentInfo] = []
    with proxy_factory(on_segment=segments.append) as proxy:
        exercise(proxy)
    return [s.path for s in segments]


def _seal_session(case: Case, world: World, segments: list[Path]) -> list[Record]:
    """As a capture session does: session.start, each segment ``capture.traffic`` in
    ``archive/`` as ``application/warc``, session.end by two officers."""
    session = case.start_session(world.lead, SessionStartData("test", ()))
    sealed = [
        case.seal_file(
            world.lead,
            path,
            kind="capture.traffic",
            data={"segment": path.name},
            media_type="application/warc",
            session=session,
            folder="archive",
        )
        for path in segments
    ]
    case.end_session(session, [world.lead, world.second])
    return sealed


def _har(case: Case, rec: Record) -> dict[str, Any]:
    (item,) = rec.items
    with case.store.open_blob(item.sha256) as f:
        return json.load(f)


def _verify(case: Case, world: World, tsa: TsaServer) -> None:
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), timeout=5.0)
    outcome = stamp_pending(case, world.lead, config)
    assert outcome.pending == 0
    lines = [line for _, _, line in case.store.ledger_rows()]
    policy = TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()])
    report = verify_case_dir(case.store.dir, lines, policy)
    assert report.bottom_line, [f.text() for f in report.findings]
    assert not report.errors


def test_har_of_sealed_traffic_is_sealed_as_derived_item(
    proxy_factory: Factory, case: Case, world: World, tsa: TsaServer
) -> None:
    def exercise(proxy: RecordingProxy) -> None:
        assert fetch(proxy, SHOP, "/?q=%E5%81%87").body == PAGE
        assert fetch(proxy, SHOP, "/redirect").status == 302
        assert fetch(proxy, SHOP, "/missing").status == 404
        replies = websocket_exchange(proxy, LIVE, ["你好", "bid 42"], b"\x00\x01")
        assert replies == ["echo: 你好", "echo: bid 42", b"echo: \x00\x01"]
        proxy.roll()  # a second segment, with its own HAR
        assert fetch(proxy, SHOP, "/cookie").status == 200

    traffic = _seal_session(case, world, _record(proxy_factory, exercise))
    assert len(traffic) >= 2

    sealed = seal_traffic_hars(case, world.lead)

    assert len(sealed) == len(traffic)
    by_seq = {r.seq: r for r in case.ledger.records()}
    urls: dict[str, dict[str, Any]] = {}
    for rec, parent in zip(sealed, traffic, strict=True):
        assert rec.kind == "derive" and rec.session is None
        (item,) = rec.items
        (warc,) = parent.items
        assert item.media_type == "application/json"
        assert re.fullmatch(rf"har/{rec.seq:06d}-traffic-[^/]+\.har", item.path), item.path
        assert item.name.removeprefix(f"{rec.seq:06d}-") == (
            warc.name.removeprefix(f"{parent.seq:06d}-").removesuffix(".warc.gz") + ".har"
        )
        data = rec.data
        assert data["derivation"] == HAR_DERIVATION and data["kind"] == "har"
        assert data["parent"] == {
            "seq": parent.seq,
            "path": warc.path,
            "sha256": warc.sha256,
            "sm3": warc.sm3,
        }
        assert data["parent_sha256"] == warc.sha256
        assert data["format"] == "HAR 1.2 (application/json)"
        assert data["tool"]["converter"] == "forensics.capture.har"
        # The parent exists in the ledger, earlier, and seals exactly that file.
        named = by_seq[data["parent"]["seq"]]
        assert named.seq < rec.seq and named.kind == "capture.traffic"
        assert [(i.path, i.sha256) for i in named.items] == [(warc.path, warc.sha256)]

        har = _har(case, rec)
        log = har["log"]
        assert log["version"] == "1.2" and log["creator"]["name"] == "Quzheng"
        assert data["entries"] == len(log["entries"])
        for entry in log["entries"]:
            assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(
                entry
            )
            assert {"send", "wait", "receive"} <= set(entry["timings"])
            assert {"size", "mimeType"} <= set(entry["response"]["content"])
            urls[entry["request"]["url"]] = entry

    page = urls[f"https://{SHOP}/?q=%E5%81%87"]
    assert page["response"]["status"] == 200
    assert page["response"]["content"]["text"] == PAGE.decode()
    assert page["request"]["queryString"] == [{"name": "q", "value": "假"}]
    redirect = urls[f"https://{SHOP}/redirect"]["response"]
    assert redirect["status"] == 302 and redirect["redirectURL"] == "/"
    assert urls[f"https://{SHOP}/missing"]["response"]["status"] == 404
    cookie = urls[f"https://{SHOP}/cookie"]
    assert "set-cookie" in cookie["_quzheng"]["sensitive"]

    (socket,) = [e for e in urls.values() if e["response"]["status"] == 101]
    messages = socket["_webSocketMessages"]
    sent = [m["data"] for m in messages if m["type"] == "send"]
    received = [m["data"] for m in messages if m["type"] == "receive"]
    assert sent == ["你好", "bid 42", "AAE="]  # binary as base64, opcode 2
    assert received == ["echo: 你好", "echo: bid 42", "ZWNobzogAAE="]
    assert [m["opcode"] for m in messages if m["type"] == "send"] == [1, 1, 2]
    assert all(isinstance(m["time"], float) for m in messages)

    # Idempotent: nothing more to derive.
    head = case.store.head()
    assert seal_traffic_hars(case, world.lead) == []
    assert case.store.head() == head

    _verify(case, world, tsa)


def test_received_case_is_not_written_to(proxy_factory: Factory, case: Case, world: World) -> None:
    _seal_session(case, world, _record(proxy_factory, lambda p: fetch(p, SHOP, "/")))
    case.store.set_meta("received", "1")
    head = case.store.head()
    assert seal_traffic_hars(case, world.lead) == []
    assert case.store.head() == head


def test_a_case_without_traffic_seals_nothing(case: Case, world: World) -> None:
    assert seal_traffic_hars(case, world.stranger) == []  # no work: membership not asked


_CHILD = textwrap.dedent(
    """
    import json, sys, threading, time
    from pathlib import Path

    import warcio.archiveiterator  # noqa: F401 - loaded before the baseline
    from forensics.case import Case
    from forensics.har_derive import seal_traffic_hars
    from forensics.identity import IdentityStore

    home, case_id, badge, passphrase = sys.argv[1:5]

    def rss() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError

    signer = IdentityStore(Path(home)).unlock(badge, passphrase)
    case = Case.open(Path(home), case_id)
    baseline = rss()
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        sealed = seal_traffic_hars(case, signer)
    finally:
        stop.set()
        sampler.join()
    peak[0] = max(peak[0], rss())
    item = sealed[0].entry["items"][0]
    case.close()
    print(json.dumps({"baseline": baseline, "peak": peak[0], "sealed": len(sealed),
                      "sha256": item["sha256"]}))
    """
)


@NO_PROC
def test_memory_is_bounded_for_a_large_body(
    proxy_factory: Factory, case: Case, world: World, tmp_path: Path
) -> None:
    """A 50 MB response: the conversion streams it (RSS growth under 16 MiB;
    about 1 MiB in practice: one bounded body), and leaves
    the body out of the HAR with a comment naming its WARC record."""
    segments = _record(proxy_factory, lambda p: fetch(p, SHOP, f"/bytes/{BIG}"))
    traffic = _seal_session(case, world, segments)
    assert sum(i.size for r in traffic for i in r.items) > BIG
    case_id = case.case_id
    case.close()  # the child process opens it, as a second program would

    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(world.home), case_id, "31000001", PASSPHRASE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["sealed"] == len(traffic)
    growth = out["peak"] - out["baseline"]
    assert growth < 16 * 1024 * 1024, out

    with Case.open(world.home, case_id) as reopened:
        (rec,) = [r for r in reopened.ledger.records() if r.kind == "derive"]
        har = _har(reopened, rec)
    (entry,) = [e for e in har["log"]["entries"] if e["request"]["url"].endswith(f"/{BIG}")]
    content = entry["response"]["content"]
    assert entry["response"]["status"] == 200 and content["size"] == BIG
    assert "text" not in content and "see WARC record <urn:uuid:" in content["comment"]
    assert entry["response"]["bodySize"] == BIG

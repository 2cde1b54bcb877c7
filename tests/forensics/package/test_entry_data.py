"""Each typed entry data kind, sealed by its real producer and read back with the reader's
type (forensics.entry_data): a field renamed on one side fails here, never in print."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.case import Case
from forensics.custody import import_package, record_transfer
from forensics.custody_records import (
    record_access,
    record_report,
    record_verification,
    verify_result_bytes,
)
from forensics.entry_data import (
    PAGE_KINDS,
    READERS,
    AccessData,
    AccountNote,
    CaseOpenData,
    ChatData,
    Derived,
    EnvCheckData,
    ExportData,
    HarData,
    ImportData,
    MarkData,
    MediaNote,
    NoteData,
    OfficerData,
    PageData,
    ReceiveData,
    RecordingNote,
    RecoveredData,
    ReportData,
    SessionEndData,
    SessionStartData,
    StreamData,
    TimestampData,
    ToolData,
    TrafficData,
    TranscriptData,
    TransferData,
    VerifyData,
    VideoData,
    read_note,
)
from forensics.entry_data.recovered import CLOSED_UNSEALED, DAMAGED, REPAIRED, TORN
from forensics.har_derive import HAR_DERIVATION
from forensics.hashing import Digests
from forensics.ledger import KINDS, Record, entry_hash
from forensics.ledger_checks import verify_case_dir
from forensics.package.export import _pages
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World
from tests.forensics.package.conftest import Exported
from tests.forensics.package.test_custody import _receiver_home

# Every producer type: reading what it wrote gives back exactly what it wrote.
ROUND_TRIP: dict[str, Callable[[object], Any]] = {
    "case.open": CaseOpenData.from_json,
    "officer.add": OfficerData.from_json,
    "timestamp": TimestampData.from_json,
    "env.check": EnvCheckData.from_json,
    "capture.stream": StreamData.from_json,
    "capture.chat": ChatData.from_json,
    "capture.video": VideoData.from_json,
    "mark": MarkData.from_json,
    "import.file": ImportData.from_json,
    "package.export": ExportData.from_json,
    "custody.transfer": TransferData.from_json,
    "custody.receive": ReceiveData.from_json,
    "verify": VerifyData.from_json,
    "custody.report": ReportData.from_json,
    "custody.access": AccessData.from_json,
    "session.start": SessionStartData.from_json,
    "session.end": SessionEndData.from_json,
    **dict.fromkeys(PAGE_KINDS, PageData.from_json),
    "capture.traffic": TrafficData.from_json,
    "capture.recovered": RecoveredData.from_json,
    "note": read_note,
}
CAPTURE_KINDS = (*PAGE_KINDS, "capture.traffic", "capture.stream", "capture.chat")


def _same(kind: str, rec: Record) -> None:
    data = dict(rec.data)
    assert ROUND_TRIP[kind](rec.data).to_json() == data, kind


def read_back(records: Iterable[Record]) -> set[str]:
    """Every entry of a kind with a producer type reads back through its reader type as
    exactly what was written; the kinds met. Used on real sessions (the golden packages
    here, the capture session on the range in tests/app/capture/test_session_e2e.py). A
    session opened by hand (``quzheng session start``: ``Case.open_session`` without data)
    has no data to read back."""
    seen = set()
    for rec in records:
        if rec.kind == "session.start" and not rec.data:
            continue
        if rec.kind in ROUND_TRIP:
            assert ROUND_TRIP[rec.kind](rec.data).to_json() == dict(rec.data), (rec.seq, rec.kind)
            seen.add(rec.kind)
    return seen


def test_every_typed_kind_is_a_ledger_kind() -> None:
    assert set(READERS) <= KINDS
    assert set(ROUND_TRIP) <= set(READERS)
    assert {"custody.report", "custody.access", "verify"} <= KINDS


def test_custody_kinds_round_trip_through_their_producers(
    exported: Exported, tmp_path: Path
) -> None:
    """Export, transfer, receipt, verification, report and access, each sealed by the code
    that writes it in use; HAR derivations (sealed by the export) read as derived items."""
    case, lead = exported.case, exported.world.lead
    record_transfer(
        case, lead, exported.path, to_name="赵警官", to_badge="P0001",
        to_agency="示例市公安局", reason="移送",
    )  # fmt: skip
    policy = exported.world.ids
    report = case.verify(TrustPolicy.of(policy.trusted_cas(), exported.tsa_roots))
    verified = record_verification(case, lead, report, via="cli")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.7 test")
    head = case.store.head()
    assert head is not None
    record_report(
        case, lead, file_name="r.pdf", digests=Digests(13, "a" * 64, "b" * 64), pages=1,
        lang="zh", bound_to="", head=head, via="gui",
    )  # fmt: skip
    shot = next(r for r in case.ledger.records() if r.kind == "capture.screenshot")
    record_access(case, lead, shot.seq, shot.items[0], via="gui")

    police = _receiver_home(tmp_path, exported)
    receiver = police.unlock("P0001", PASSPHRASE)
    trust = TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems())
    with import_package(police.home, exported.path, receiver, policy=trust, reason="接收") as got:
        records = [*case.ledger.records(), *got.ledger.records()]
        # the new records keep a received case valid: they are custody, not evidence
        record_verification(got, receiver, got.verify(trust), via="cli")
        lines = [line for _, _, line in got.store.ledger_rows()]
        assert verify_case_dir(got.store.dir, lines, trust).bottom_line
    # The fixture's capture entries are hand-made (build_case); real ones: read_back below.
    custody = set(ROUND_TRIP) - {
        *CAPTURE_KINDS, "capture.video", "capture.recovered", "mark", "import.file",
        "session.start", "env.check",
    }  # fmt: skip
    seen = set()
    for rec in records:
        if rec.kind in custody:
            _same(rec.kind, rec)
            seen.add(rec.kind)
    assert seen == custody, seen

    v = VerifyData.from_json(verified.data)
    assert v.verdict == "pass" and v.exit_code == 0 and v.errors == 0
    assert v.head_seq == verified.seq - 1 and v.head_hash == verified.entry["prev"]
    assert v.result_sha256 == hashlib.sha256(verify_result_bytes(report)).hexdigest()
    assert json.loads(verify_result_bytes(report))["verdict"] == "pass"
    assert case.verify(TrustPolicy.of(policy.trusted_cas(), exported.tsa_roots)).bottom_line

    hars = [r for r in records if r.kind == "derive"]
    assert hars
    for rec in hars:
        d = Derived.from_json(rec.data)
        assert d.derivation == HAR_DERIVATION and d.kind == "har"
        parent = case.ledger.records()[d.parent.seq or 0]
        assert parent.kind == "capture.traffic"
        assert d.parent.sha256 == parent.items[0].sha256 == rec.data["parent_sha256"]
        assert HarData.from_json(rec.data).to_json() == dict(rec.data)


def test_recorder_segment_and_transcript_round_trip(tmp_path: Path) -> None:
    from app.capture.recorder import VideoSegment
    from app.desk.transcript import Line, derive_data

    seg = VideoSegment(
        recording="rec-1", index=3, path=tmp_path / "v.mp4",
        started=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        ended=datetime(2026, 12, 1, 8, 0, 20, tzinfo=UTC), start_us=60_000_000,
        end_us=80_000_000, frames=200, dropped=1, width=1280, height=800, fps=10, final=False,
        encoder="libx264", urls=("https://live.range.test/room/1",), live={"room_id": "1"},
    )  # fmt: skip
    data = seg.ledger_data("示市监案〔2026〕1号")
    video = VideoData.from_json(data)
    assert video.to_json() == data
    assert (video.recording, video.segment, video.duration_us) == ("rec-1", 3, 20_000_000)
    assert video.stated_duration_us == video.duration_us

    parent = {"seq": 7, "path": "evidence/000007-v.mp4", "sha256": "c" * 64, "sm3": "d" * 64}
    tdata = derive_data(parent, [Line(0, 1500, "主播", "正品保证")], "核对口播")
    assert TranscriptData.from_json(tdata).to_json() == tdata
    d = Derived.from_json(tdata)
    assert (d.kind, d.parent.sha256, d.parent.seq, d.reason) == (
        "transcript",
        "c" * 64,
        7,
        "核对口播",
    )


def test_notes_round_trip_through_their_producers(world: World, case: Case) -> None:
    """An officer's note (``quzheng note``, the windows) and the account a capture session
    declares, each read back through the type its event names, as written."""
    from app.capture.options import CaptureOptions
    from app.capture.session import CaptureSession
    from app.installation import Installation

    own = case.note(world.lead, "页面标称“正品保证”")
    session = CaptureSession(
        Installation(world.home), case, world.lead, options=CaptureOptions(targets=("x",))
    )
    try:
        named = session.set_logged_in_account(" shop_8848 ").result(10)
        none = session.set_logged_in_account(None).result(10)
    finally:
        session._close_writers()
    assert "note" in read_back(case.ledger.records())
    assert read_note(own.data) == NoteData("页面标称“正品保证”")
    assert read_note(named.data) == AccountNote("shop_8848", str(named.data["text"]))
    assert read_note(none.data) == AccountNote(None, "未使用登录账号 / no logged-in account")
    # A note of an event no type names reads as an officer's note: its text.
    assert read_note({"text": "t", "event": "later"}) == NoteData("t")
    # Media the browser cannot play: the finding is kept as recorded.
    finding = {"kind": "error", "drm": False, "en": "cannot play", "zh": "无法播放"}
    media = read_note({"text": "无法播放 / cannot play", "event": "media-unplayable",
                       "media": finding})  # fmt: skip
    assert isinstance(media, MediaNote) and media.media == finding
    assert read_note(media.to_json()) == media
    paused = read_note({"event": "recording.pause", "text": "休息", "at_us": "x"})
    assert isinstance(paused, RecordingNote) and paused.at_us is None


def test_recovered_files_round_trip_through_their_producer(world: World, case: Case) -> None:
    """What an interrupted capture left, sealed by the recovery (``app.capture.leftovers``),
    reads back through ``RecoveredData`` as written, each file in the state it was found."""
    from app.capture.leftovers import recover
    from tests.app.capture.test_session import tiny_mp4
    from tests.app.capture.warcs import write_segment

    work = case.store.dir / "work"
    proxy = work / "proxy"
    proxy.mkdir(parents=True)
    write_segment(proxy, "dead00000001", [("https://a.test/", "127.0.0.1", b"A")], close=False)
    write_segment(proxy, "dead00000002", [("https://b.test/", "127.0.0.1", b"B")])
    (proxy / "traffic-x.warc.gz.damaged").write_bytes(b"not a WARC")
    video = work / "session-0123456789ab" / "video"
    video.mkdir(parents=True)
    (video / "video-aaaa-0000.mp4.open").write_bytes(tiny_mp4())
    assert recover(case, world.lead) == []
    records = [r for r in case.ledger.records() if r.kind == "capture.recovered"]
    assert "capture.recovered" in read_back(records)
    found = {(d.kind, d.state) for d in (RecoveredData.from_json(r.data) for r in records)}
    assert found == {
        ("traffic", REPAIRED), ("traffic", CLOSED_UNSEALED), ("traffic", DAMAGED),
        ("video", TORN),
    }  # fmt: skip
    for r in records:
        data = RecoveredData.from_json(r.data)
        item = r.items[0]
        assert item.path.endswith("-" + data.file) and data.size == item.size and data.reason


def test_tool_qualification_reads_back() -> None:
    from app.capture.qualification import build_manifest, tool_qualification

    tool = tool_qualification({"mitmproxy": "11.0", "addon_sha256": "e" * 64})
    raw = tool.to_json()
    assert ToolData.from_json(raw) == tool
    assert tool.build_sha256 == build_manifest()[0] and tool.proxy_addon_sha256 == "e" * 64
    assert raw["build_sha256"] == tool.build_sha256 and "build_hash" not in raw


def test_session_start_round_trips_through_its_producer(tmp_path: Path) -> None:
    """What ``start_data`` seals for a Chromium session and for the built-in fallback reads
    back as written; the timeline's and the report's facts come from the same type."""
    from app.capture.chromium.discover import BrowserInstall
    from app.capture.options import CaptureOptions
    from app.capture.start_record import start_data

    ca = tmp_path / "upstream.pem"
    ca.write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    opts = CaptureOptions(
        targets=("https://shop.range.test/",), map_hosts={"range.test": "127.0.0.1:8443"},
        upstream_cas=(ca,), traffic_segment_seconds=30.0,
    )  # fmt: skip
    disclosure = {"mitmproxy": "11.0", "addon_sha256": "e" * 64, "listen": "127.0.0.1:1"}
    chromium = BrowserInstall("/usr/bin/chromium", "Chromium", "1.2.3")
    for install in (chromium, None):
        start = start_data(opts, disclosure, tmp_path / "browser", install)
        data = start.to_json()
        back = SessionStartData.from_json(data)
        assert back == start and back.to_json() == data
        assert back.tool is not None and back.tool.proxy_addon_sha256 == "e" * 64
        assert back.targets == opts.targets and back.traffic_segment_seconds == 30
        assert back.upstream_trust_extra[0]["sha256"] == hashlib.sha256(ca.read_bytes()).hexdigest()
        assert back.browser["engine"] == ("chromium-cdp" if install else "qtwebengine")
        assert back.proxy == disclosure and back.environment_check is False
    # Sound is written only when the session records its plan (older sessions have none).
    assert "sound" not in data and "browser" in data
    assert "browser" not in SessionStartData(method="m", targets=()).to_json()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = ("recording", "segment", "at_us", "parent", "parent_sha256", "derivation", "kind", "tool",
        "build_sha256", "signers", "verdict", "head_seq", "lines", "audio", "live", "page",
        "server", "parts", "navigation", "viewport", "image", "sensitive", "partials", "urls",
        "browser", "duration_us")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(READERS)),
    data=st.one_of(json_values, st.dictionaries(st.sampled_from(KEYS), json_values)),
)
def test_readers_never_raise_on_hostile_data(kind: str, data: object) -> None:
    READERS[kind](data)
    for reader in (TranscriptData.from_json, HarData.from_json, ToolData.from_json):
        reader(data)


def test_verifier_reads_the_training_flag_as_typed(world: World, case: Case) -> None:
    """A one-officer close is excused only by the JSON value true, not by any truthy value."""
    policy = TrustPolicy.of(world.ids.trusted_cas(), [])
    for flag, severity in (("yes", "error"), (True, "warning")):
        sid = case.start_session(world.lead)
        data = {"signers": [world.lead.officer.key_fp], "training_single_officer": flag}
        case.ledger.append(world.lead, "session.end", data, session=sid)
        lines = [line for _, _, line in case.store.ledger_rows()]
        found = [
            f for f in verify_case_dir(case.store.dir, lines, policy).findings
            if f.code == "session-single-officer" and f.subject == f"ledger entry {case.store.head()[0]}"
        ]  # fmt: skip
        assert [str(f.severity) for f in found] == [severity], flag


def test_import_round_trips_with_exif(world: World, case: Case, tmp_path: Path) -> None:
    from tests.forensics.report.builders import make_jpeg_with_exif

    photo = make_jpeg_with_exif(tmp_path / "现场.jpg", "2020:01:02 10:11:12")
    rec = case.import_file(world.lead, photo)
    data = ImportData.from_json(rec.data)
    assert data.to_json() == dict(rec.data)
    assert data.source_name == "现场.jpg" and data.exif_time_far_from_import
    assert data.exif is not None and data.exif.get("camera")


GOLDEN = Path(__file__).resolve().parents[2] / "golden"


def test_capture_entries_of_the_golden_packages_read_back() -> None:
    """The golden packages were made by a real capture of the practice range: their
    screenshot and traffic entries read back through PageData / TrafficData unchanged."""
    from forensics.package.reader import PackageReader
    from forensics.report.package_source import package_source

    packages = sorted(GOLDEN.glob("format-*/case.qzp"))
    assert packages
    for path in packages:
        reader = PackageReader(path)
        try:
            records = package_source(reader).records
            with reader.open("pages/pages.jsonl") as f:
                pages = f.read()
        finally:
            reader.close()
        # pages.jsonl, now made from PageData, is byte for byte what the package holds.
        assert _pages(records) == pages and b"https://shop.range.test" in pages, path
        met = read_back(records)
        assert {"capture.screenshot", "capture.traffic", "session.start"} <= met, path
        assert {"case.open", "officer.add", "timestamp", "env.check"} <= met, path
        opened = CaseOpenData.from_json(records[0].data)
        assert opened.title and opened.format == 1 and not opened.training
        officers = [OfficerData.from_json(r.data) for r in records if r.kind == "officer.add"]
        assert [o.role for o in officers] == ["lead", "officer"]
        assert all(len(o.key) == 64 and len(o.cert_sha256) == 64 for o in officers)
        start = SessionStartData.from_json(
            next(r for r in records if r.kind == "session.start").data
        )
        assert start.tool is not None and start.tool.build_sha256 and start.proxy.get("mitmproxy")
        for rec in records:
            if rec.kind == "timestamp":
                stamp = TimestampData.from_json(rec.data)
                assert stamp.stamped_seq is not None and stamp.stamped_seq < rec.seq
                assert stamp.stamped_hash == entry_hash(records[stamp.stamped_seq].entry)
                assert stamp.gen_time.endswith("Z") and stamp.tsa_name and stamp.token_sha256
        for rec in records:
            if rec.kind == "capture.screenshot":
                page = PageData.from_json(rec.data)
                assert page.url.startswith("https://") and page.server_ips, path
                assert page.image is not None and page.image["format"] == "png"
            if rec.kind == "capture.traffic":
                seg = TrafficData.from_json(rec.data)
                assert seg.segment.endswith(".warc.gz") and seg.records > 0 and seg.hosts


def test_traffic_segment_reads_back_with_its_credentials_and_parts() -> None:
    """``SegmentInfo.ledger_data`` (what the lead seals for each segment the proxy
    reports) builds a TrafficData: credentials flagged and parts read back as written."""
    from forensics.capture.controller import SegmentInfo

    part = {
        "uri": "https://live.test/flv/live.flv", "origin_id": "<urn:uuid:1>",
        "record_id": "<urn:uuid:2>", "segment_number": 2, "payload_from": 10,
        "payload_to": 20, "payload_sha256": "ab" * 32, "last": False, "truncated": None,
    }  # fmt: skip
    event: dict[str, object] = {
        "event": "segment", "path": "/tmp/x/traffic-1.warc.gz", "records": 3, "bytes": 100,
        "urls": ["https://live.test/", "https://live.test/flv/live.flv"],
        "hosts": ["live.test"],
        "sensitive": [{"url": "https://live.test/", "headers": ["cookie", "authorization"]}],
        "started": "2026-12-07T00:00:00Z", "ended": "2026-12-07T00:01:00Z",
        "partials": [part],
    }  # fmt: skip
    for partials in ([part], []):
        data = SegmentInfo.from_event({**event, "partials": partials}).ledger_data()
        seg = TrafficData.from_json(data)
        assert seg.to_json() == data
        assert seg.segment == "traffic-1.warc.gz" and seg.records == 3
        assert [(s.url, s.headers) for s in seg.sensitive] == [
            ("https://live.test/", ("cookie", "authorization"))
        ]
        assert seg.partials == tuple(partials) and ("partials" in data) == bool(partials)


def test_page_data_producer_shape() -> None:
    """What the engines build: optional blocks are written only when present, the account
    as null when none was marked, and a full page's flat picture is read as such."""
    base = PageData(
        url="https://shop.range.test/", requested_url="https://shop.range.test/",
        title="商城", captured_at="2026-12-07T00:00:00Z",
        viewport={"width": 1280, "height": 760}, zoom_percent=100,
        navigation=({"how": "typed", "url": "https://shop.range.test/"},),
        logged_in_account=None,
    )  # fmt: skip
    assert sorted(base.to_json()) == sorted(
        ("url", "requested_url", "title", "captured_at", "viewport", "zoom_percent",
         "navigation", "logged_in_account")
    )  # fmt: skip
    assert base.to_json()["logged_in_account"] is None
    full = replace(
        base,
        server={"ip": "127.0.0.1"},
        image={"width": 1280, "height": 9000, "format": "png", "parts": 1},
        parts=({"offset_y": 0, "height": 9000, "flat_below_first_screen": True},),
        method="whole",
        render_ms=0,
    )
    data = full.to_json()
    assert data["render_ms"] == 0 and data["parts"][0]["height"] == 9000
    back = PageData.from_json(data)
    assert back == full and back.flat_below_first_screen and back.server_ips == ("127.0.0.1",)
    assert back.viewport_height == 760 and not base.flat_below_first_screen


def test_verifier_reports_every_listed_signer_without_a_signature(world: World, case: Case) -> None:
    """Signers read through SessionEndData: a listed value that is no key fingerprint (a
    number, an empty string) is still reported as a signer without a signature."""
    policy = TrustPolicy.of(world.ids.trusted_cas(), [])
    sid = case.start_session(world.lead)
    data = {"signers": [world.lead.officer.key_fp, 123, "", "f" * 64]}
    case.ledger.append(world.lead, "session.end", data, session=sid)
    end = SessionEndData.from_json(data)
    assert end.signers == (world.lead.officer.key_fp, "f" * 64)
    assert end.malformed_signers == ("123", "")
    assert "malformed_signers" not in end.to_json()
    lines = [line for _, _, line in case.store.ledger_rows()]
    missing = [
        f.en for f in verify_case_dir(case.store.dir, lines, policy).findings
        if f.code == "session-signature-missing"
    ]  # fmt: skip
    assert len(missing) == 3
    assert any("officer key 123…" in m for m in missing)
    assert any(f"officer key {'f' * 16}…" in m for m in missing)

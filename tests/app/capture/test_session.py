"""``CaptureSession`` without a browser: leftovers of a crash sealed as recovered, the tool
qualification, the clean-environment checks, two-officer close and time-stamps; and the
checks that refuse a session before anything starts."""

from __future__ import annotations

import io
import time
from fractions import Fraction
from pathlib import Path

import av
import pytest

from app.capture.headless import run_capture
from app.capture.options import CaptureOptions, validate_signers
from app.capture.session import CaptureSession
from app.installation import Installation
from forensics.case import Case
from forensics.errors import CaptureError, InputError, PolicyError
from forensics.ledger import STAMPED_KINDS
from forensics.stamping import TsaConfig, token_path
from forensics.timestamp import TsaServer
from tests.app.capture.conftest import verify
from tests.app.capture.scenarios import quick_env_check
from tests.app.capture.warcs import write_segment
from tests.conftest import World


def tiny_mp4() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(3):
            frame = av.VideoFrame(64, 48, "yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, 10)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def stamped(case: Case, seq: int) -> bool:
    return case.store.has_item_path(token_path(seq))


def test_start_recovers_leftovers_and_finish_closes(
    case: Case, world: World, tsa: TsaServer, shared_dirs: dict[str, Path]
) -> None:
    work = case.store.dir / "work"
    proxy_dir = work / "proxy"
    proxy_dir.mkdir(parents=True)
    # A proxy that died with a segment open, and a closed segment the app never sealed.
    torn = write_segment(
        proxy_dir, "dead00000001", [("https://a.test/", "127.0.0.1", b"A")], close=False
    )
    closed = write_segment(proxy_dir, "dead00000002", [("https://b.test/", "127.0.0.1", b"B")])
    # A session that crashed: a written but unsealed video segment, and its browser profile.
    old = work / "session-0123456789ab"
    (old / "video").mkdir(parents=True)
    (old / "video" / "video-aaaa-0000.mp4").write_bytes(tiny_mp4())
    (old / "browser").mkdir()
    (old / "browser" / "Cookies").write_bytes(b"secret")

    session = CaptureSession(
        Installation(world.home),
        case,
        world.lead,
        options=CaptureOptions(
            targets=("https://shop.range.test/",),
            env_check=quick_env_check,
            ca_dir=shared_dirs["ca_dir"],
        ),
        tsa=TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),)),
    )
    session_id = session.start()
    # Each seal point asks for its token as soon as it is sealed, not when the session
    # closes: the recovered files and the before-check are stamped while it is open.
    points = [r.seq for r in case.ledger.records() if r.kind in STAMPED_KINDS]
    assert len(points) == 4
    deadline = time.monotonic() + 15
    while not all(stamped(case, seq) for seq in points) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(stamped(case, seq) for seq in points)
    kinds = [r.kind for r in case.ledger.records() if r.kind != "timestamp"]
    assert kinds[-5:] == [
        "capture.recovered",
        "capture.recovered",
        "capture.recovered",
        "session.start",
        "env.check",
    ]
    recovered = [r for r in case.ledger.records() if r.kind == "capture.recovered"]
    states = {r.entry["data"]["state"]: r for r in recovered}
    assert set(states) == {"repaired-open-segment", "closed-unsealed"}
    assert states["repaired-open-segment"].entry["items"][0]["path"].startswith("archive/")
    videos = [r for r in recovered if r.entry["data"]["kind"] == "video"]
    assert len(videos) == 1 and videos[0].entry["items"][0]["media_type"] == "video/mp4"
    assert not torn.exists() and not closed.exists() and not old.exists()

    start = next(r for r in case.ledger.records() if r.kind == "session.start")
    data = start.entry["data"]
    assert data["tool"]["version"] and len(data["tool"]["build_sha256"]) == 64
    assert (
        data["proxy"]["listen"].startswith("127.0.0.1:")
        and data["proxy"]["modifies_traffic"] is False
    )
    assert data["browser_profile"].endswith("/browser") and data["environment_check"] is True
    env = next(r for r in case.ledger.records() if r.kind == "env.check")
    profile = env.entry["data"]["snapshot"]["browser_profile"]
    assert profile["fresh"] is True and profile["entries"] == 0 and profile["status"] == "ok"

    summary = session.finish([world.lead, world.second])
    assert summary.session == session_id and summary.error is None
    assert summary.stamps is not None and summary.stamps.pending == 0
    assert [r.kind for r in summary.records][:4] == ["capture.recovered"] * 3 + ["session.start"]
    assert summary.count("session.end") == 1 and summary.count("env.check") == 2
    end = next(r for r in case.ledger.records() if r.kind == "session.end")
    assert end.entry["data"]["completed"] is True and len(end.cosig) == 1
    # The tokens of the seal points sealed at start come before session.end in the chain,
    # obtained at once (not "queued"); session.end's own comes with the session's close.
    tokens = {
        r.entry["data"]["stamped_seq"]: r for r in case.ledger.records() if r.kind == "timestamp"
    }
    assert all(tokens[seq].seq < end.seq for seq in points)
    assert all(tokens[seq].entry["data"]["queued"] is False for seq in points)
    assert tokens[end.seq].seq > end.seq
    every = [r.seq for r in case.ledger.records() if r.kind in STAMPED_KINDS]
    assert sorted(summary.stamps.stamped) == sorted(tokens) == every
    assert verify(case, world, tsa).bottom_line
    assert not list(work.glob("session-*"))  # the session's profile and work files are gone


def test_refused_before_anything_starts(case: Case, world: World) -> None:
    with pytest.raises(PolicyError):
        CaptureSession(Installation(world.home), case, world.stranger).start()
    with pytest.raises(PolicyError, match="two officers"):
        validate_signers(case, [world.lead])
    with pytest.raises(PolicyError, match="not an officer"):
        validate_signers(case, [world.lead, world.stranger])
    validate_signers(case, [world.lead, world.second, world.lead])
    assert not (case.store.dir / "work" / "proxy").exists()


def test_run_capture_checks_its_input(case: Case, world: World) -> None:
    two = [world.lead, world.second]
    common = {"full_page": False, "snapshot": False, "out": lambda _line: None}
    with pytest.raises(InputError, match="http"):
        run_capture(
            Installation(world.home),
            case.case_id,
            "file:///etc/passwd",
            signers=two,
            video_seconds=0,
            **common,
        )
    with pytest.raises(InputError, match="outside the recording"):
        run_capture(
            Installation(world.home),
            case.case_id,
            "https://a.test/",
            signers=two,
            video_seconds=5,
            marks=[(9, "late")],
            **common,
        )
    with pytest.raises(PolicyError):
        run_capture(
            Installation(world.home),
            case.case_id,
            "https://a.test/",
            signers=[world.lead],
            video_seconds=0,
            **common,
        )


def test_run_capture_in_a_process_with_qt_closes_the_session(
    qapp: object, case: Case, world: World, tsa: TsaServer, shared_dirs: dict[str, Path]
) -> None:
    """The proxy flags cannot reach a browser whose Qt already started: nothing is
    captured, and the session that was opened is still closed by both officers."""
    lines: list[str] = []
    with pytest.raises(CaptureError, match="before the Qt application starts"):
        run_capture(
            Installation(world.home),
            case.case_id,
            "https://shop.range.test/",
            signers=[world.lead, world.second],
            full_page=False,
            snapshot=False,
            video_seconds=0,
            tsa=TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),)),
            out=lines.append,
            options=CaptureOptions(ca_dir=shared_dirs["ca_dir"]),
        )
    kinds = [r.kind for r in case.ledger.records()]
    assert "session.start" in kinds and "capture.screenshot" not in kinds
    end = next(r for r in case.ledger.records() if r.kind == "session.end")
    assert end.entry["data"]["completed"] is False and len(end.cosig) == 1
    assert "before the Qt application starts" in end.entry["data"]["stopped_because"]["en"]
    assert verify(case, world, tsa).bottom_line

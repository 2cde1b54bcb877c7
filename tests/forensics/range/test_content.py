"""Content and markers: pure functions of the seed, checked without a server."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from forensics.canonical import canonical_bytes
from forensics.range import RangeError, build_content, is_valid_credit_code
from forensics.range.content import LONG_PAGE_MIN_HEIGHT_PX, LONG_PAGE_ROW_PX, money, sales_text
from forensics.range.manifest import Manifest
from forensics.range.markers import draw_marker, marker_bits, read_marker


def test_same_seed_same_content_other_seed_other_content() -> None:
    a, b, c = build_content(2026), build_content(2026), build_content(7)
    assert a == b
    assert a.shop.licence != c.shop.licence
    assert [p.product_id for p in a.products] != [p.product_id for p in c.products]


@pytest.mark.parametrize("seed", [-1, 2**63, True])
def test_bad_seed_is_refused(seed: int) -> None:
    with pytest.raises(RangeError):
        build_content(seed)


@pytest.mark.parametrize("seed", range(20))
def test_credit_code_is_valid(seed: int) -> None:
    code = build_content(seed).shop.licence.credit_code
    assert is_valid_credit_code(code), code
    # Any single changed character breaks a check.
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not is_valid_credit_code(broken)


def test_known_credit_codes() -> None:
    # Published sample codes with valid check characters.
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")
    assert not is_valid_credit_code("short")


def test_long_page_is_tall_enough() -> None:
    content = build_content(2026)
    assert len(content.products) * LONG_PAGE_ROW_PX >= LONG_PAGE_MIN_HEIGHT_PX


def test_money_and_sales_text() -> None:
    assert money(12990) == "129.90"
    assert money(5) == "0.05"
    assert sales_text(3456) == "月销 3456"
    assert sales_text(23_456) == "月销 2.3万+"


def test_claim_schedule_loops() -> None:
    plan = build_content(2026).stream
    first = plan.claims[0]
    assert plan.claim_at(first.start_s) == first
    assert plan.claim_at(first.start_s + plan.loop_s) == first
    assert plan.claim_at(first.end_s) != first
    assert {c.kind for c in plan.claims} >= {"authenticity", "price", "discount_code"}
    assert "正品保证" in [c.text for c in plan.claims]
    assert any(plan.discount_code in c.text for c in plan.claims)
    showings = plan.occurrences(0, 600)
    assert [s for s, _, c in showings if c == first] == [
        first.start_s + k * plan.loop_s for k in range(4)
    ]


def test_chat_repeats_across_loops_with_rising_seq() -> None:
    content = build_content(2026)
    loop_ms = content.stream.loop_s * 1000
    messages = list(content.chat_between(0, 3 * loop_ms))
    assert len(messages) == 3 * len(content.chat)
    assert [m.seq for m in messages] == list(range(len(messages)))
    assert all(a.t_ms <= b.t_ms for a, b in itertools.pairwise(messages))
    code = content.stream.discount_code
    assert any(code in m.text for m in messages)


def test_manifest_is_canonical_json() -> None:
    manifest = Manifest(2026, 8443, build_content(2026), "/tmp/ca.pem")
    data = manifest.to_dict()
    canonical_bytes(data)  # raises on floats or non-string keys
    kinds = {p["kind"] for p in data["pages"]}
    assert kinds >= {
        "home",
        "licence",
        "listing",
        "search",
        "product",
        "long",
        "login",
        "member",
        "flash",
        "bot_check",
        "live_room",
    }
    assert data["pages"][0]["url"] == "https://shop.range.test:8443/"
    assert data["stream"]["claims"][0]["text"] == "正品保证"


@given(claim=st.integers(0, 255), frame=st.integers(0, 2**22 - 1))
@settings(max_examples=40, deadline=None)
def test_marker_round_trip_through_jpeg(claim: int, frame: int) -> None:
    image = Image.new("RGB", (640, 360), (90, 60, 120))
    draw_marker(image, claim, frame)
    buf = io.BytesIO()
    image.resize((480, 270)).save(buf, format="JPEG", quality=40)
    marker = read_marker(Image.open(io.BytesIO(buf.getvalue())))
    assert marker is not None
    assert (marker.claim_id, marker.frame) == (claim, frame)


@given(
    bits=st.lists(st.booleans(), min_size=40, max_size=40),
    width=st.integers(1, 900),
    height=st.integers(1, 500),
)
@settings(max_examples=60, deadline=None)
def test_read_marker_accepts_only_consistent_strips(
    bits: list[bool], width: int, height: int
) -> None:
    # Paint arbitrary blocks where the strip goes: read_marker must never raise, and may
    # only answer when the sync pattern and the check agree.
    image = Image.new("RGB", (width, height), (128, 128, 128))
    strip = max(4, round(height / 22))
    for i, bit in enumerate(bits):
        box = (i * width // 40, height - strip, (i + 1) * width // 40 - 1, height - 1)
        if box[2] >= box[0] and box[3] >= box[1]:
            image.paste((255, 255, 255) if bit else (0, 0, 0), box)
    marker = read_marker(image)
    if marker is not None:
        assert [int(b) for b in bits] == marker_bits(marker.claim_id, marker.frame)


def test_read_marker_without_marker() -> None:
    assert read_marker(Image.new("RGB", (640, 360), (0, 0, 0))) is None
    assert read_marker(Image.new("RGB", (10, 10))) is None


def test_frames_render_without_any_installed_font(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh machine may have no CJK font: claims fall back to English text and the
    # marker, which needs no font, still reads back.
    from forensics.range import fonts
    from forensics.range.video import render_frame

    monkeypatch.setattr(fonts, "_found", {"cjk": None, "latin": None})
    bare = fonts.FontSet.load()
    assert not bare.cjk
    plan = build_content(2026).stream
    claim = plan.claims[0]
    frame = claim.start_s * plan.fps
    marker = read_marker(render_frame(plan, frame, bare))
    assert marker is not None and (marker.claim_id, marker.frame) == (claim.claim_id, frame)

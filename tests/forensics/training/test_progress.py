"""The live checklist: criteria ticked from a real case's ledger as items are sealed, and
never ticked where only the package's files could tell."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from forensics.canonical import utc_now
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.package.reader import PackageReader
from forensics.training import load_exercise, score_package
from forensics.training.evidence import PackageView
from forensics.training.exercise import CRITERION_TYPES
from forensics.training.progress import (
    _LIVE,
    AT_SCORING,
    DONE,
    MISSED,
    OPEN,
    Progress,
    evaluate_progress,
)
from forensics.training.score import _KINDS, LEDGER_TYPES
from tests.conftest import World
from tests.forensics.training.conftest import ORDER, SHOP_HOST, Built, png, url

EXERCISE = load_exercise("test-purchase")


def progress(case: Case, minutes: float = 10) -> Progress:
    """The checklist ``minutes`` after now (the session, if any, started moments ago)."""
    return evaluate_progress(
        EXERCISE, case.ledger.records(), now=utc_now() + timedelta(minutes=minutes)
    )


def states(p: Progress) -> dict[str, str]:
    return {t.id: t.state for t in p.ticks}


def test_every_criterion_type_is_judged_live_or_from_the_ledger() -> None:
    assert set(CRITERION_TYPES) == LEDGER_TYPES | set(_LIVE)
    assert not LEDGER_TYPES & set(_LIVE)
    assert set(CRITERION_TYPES) == set(_KINDS)  # and every one is scored from a package


def test_checklist_ticks_as_matching_items_are_sealed(
    world: World, case: Case, tmp_path: Path
) -> None:
    before = progress(case)
    assert before.started is None and before.elapsed_s(utc_now()) is None
    assert before.limit_s == 45 * 60 and before.remaining_s(utc_now()) is None
    s = states(before)
    assert s["orders-page"] == OPEN and s["order-number"] == OPEN
    assert s["time-limit"] == OPEN and s["screen-recording"] == OPEN
    assert s["case-fields"] == OPEN  # purpose and location were left empty
    assert before.done_count == 0

    lead = world.lead
    case.ledger.append(lead, "env.check", {"phase": "before"})
    session = case.start_session(lead, SessionStartData("training", ()))
    # A capture of another page does not tick the orders page.
    case.seal_file(
        lead, png(tmp_path / "other.png", (1, 2, 3)), kind="capture.fullpage",
        data={"url": url(SHOP_HOST, "/item/999999")}, session=session,
    )  # fmt: skip
    assert states(progress(case))["orders-page"] == OPEN

    case.seal_file(
        lead, png(tmp_path / "orders.png", (4, 5, 6)), kind="capture.fullpage",
        data={"url": url(SHOP_HOST, "/member/orders")}, session=session,
    )  # fmt: skip
    during = progress(case)
    ticks = {t.id: t for t in during.ticks}
    assert ticks["orders-page"].state == DONE
    assert "/member/orders" in ticks["orders-page"].reason.en
    assert ticks["ordered-product"].state == OPEN
    # The order number lives in a response body: only scoring can read it, and only once
    # traffic naming the orders page is sealed.
    assert ticks["order-number"].state == OPEN
    warc = tmp_path / "traffic.warc.gz"
    warc.write_bytes(b"not read by the checklist")
    case.seal_file(
        lead, warc, kind="capture.traffic", folder="archive", media_type="application/warc",
        data={"urls": [url(SHOP_HOST, "/login"), url(SHOP_HOST, "/member/orders")],
              "hosts": [SHOP_HOST]},
        session=session,
    )  # fmt: skip
    ticks = {t.id: t for t in progress(case).ticks}
    assert ticks["order-number"].state == AT_SCORING
    assert ORDER.order_no in ticks["order-number"].reason.en  # the placeholder filled in
    assert ticks["login"].state == DONE

    # The timer runs from the session's start against the 45-minute limit.
    remaining = during.remaining_s(utc_now() + timedelta(minutes=10))
    assert remaining is not None and 34 * 60 <= remaining <= 35 * 60 + 1
    assert states(progress(case, minutes=10))["time-limit"] == OPEN
    assert states(progress(case, minutes=50))["time-limit"] == MISSED

    # A recording's length comes from the durations its entries seal.
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00" * 16)
    for n in range(2):
        case.seal_file(
            lead, video, kind="capture.video", media_type="video/mp4", session=session,
            data={"recording": "r1", "segment": n, "duration_us": 35_000_000},
        )  # fmt: skip
        expected = OPEN if n == 0 else DONE
        assert states(progress(case))["screen-recording"] == expected

    case.ledger.append(lead, "env.check", {"phase": "after"}, session=session)
    assert states(progress(case))["two-officers"] == OPEN
    case.end_session(session, [lead, world.second])
    done = progress(case, minutes=60)  # the clock stopped at session.end
    s = states(done)
    assert s["env-check"] == DONE and s["two-officers"] == DONE and s["time-limit"] == DONE
    assert done.ended is not None and done.remaining_s(utc_now()) is not None
    assert s["purchase-material"] == OPEN and s["purchase-note"] == OPEN


def test_ledger_ticks_agree_with_scoring_the_package(complete: Built, tmp_path: Path) -> None:
    table = score_package(complete.path, EXERCISE, **complete.trust())
    with PackageReader(complete.path) as reader:
        records = PackageView(reader, tmp_path, time.monotonic() + 60).records
    live = evaluate_progress(EXERCISE, records, now=utc_now())
    scored = {r.id: r for r in table.rows}
    for tick in live.ticks:
        if tick.type in LEDGER_TYPES:
            assert tick.done == (scored[tick.id].status == "full"), tick.id
            assert tick.reason == scored[tick.id].reason, tick.id
        assert tick.state != DONE or scored[tick.id].status == "full", tick.id
    assert live.done_count >= 8

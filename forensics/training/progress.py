"""A live case against an exercise: the trainee's checklist, ticked as items are sealed.

Cheap enough to rerun every few seconds: it reads ledger records only, never a WARC body
or a video frame. Criteria the ledger decides are judged exactly as scoring judges them
(``score.judge_ledger``); a recording's length is taken from the durations its entries
seal; the time limit runs from the first ``session.start`` (the clock scoring uses). What
only the package's files can show (facts inside recorded responses, the live stream's
claims in video frames) is never ticked here: once something that could show it is
sealed, the criterion says it is checked at scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from forensics.entry_data import VideoData
from forensics.ledger import Record
from forensics.training.evidence import entry_urls
from forensics.training.exercise import Criterion, Exercise, Text
from forensics.training.facts import fill, range_facts, url_with_facts
from forensics.training.score import LEDGER_TYPES, judge_ledger
from forensics.training.text import fmt_duration

DONE: Final = "done"  # met, as scoring will find it
OPEN: Final = "open"  # not (yet) met
MISSED: Final = "missed"  # can no longer be met (the time limit has passed)
AT_SCORING: Final = "at_scoring"  # material is sealed; only scoring can read it


@dataclass(frozen=True)
class Tick:
    """One line of the checklist."""

    id: str
    type: str
    label: Text
    weight: int
    state: str
    reason: Text
    hint: Text | None = None

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclass(frozen=True)
class Progress:
    exercise_id: str
    ticks: tuple[Tick, ...]
    started: datetime | None  # the first session.start
    ended: datetime | None  # the last session.end, once no session is open
    limit_s: int | None  # the exercise's time limit
    entries: int  # ledger entries read

    @property
    def done_count(self) -> int:
        return sum(t.done for t in self.ticks)

    def elapsed_s(self, now: datetime) -> int | None:
        if self.started is None:
            return None
        end = self.ended or now
        return max(0, int((end - self.started).total_seconds()))

    def remaining_s(self, now: datetime) -> int | None:
        """Seconds left (negative: over the limit); None without a limit or a start."""
        elapsed = self.elapsed_s(now)
        if self.limit_s is None or elapsed is None:
            return None
        return self.limit_s - elapsed


def time_limit_s(exercise: Exercise) -> int | None:
    """The tightest ``time_limit`` criterion, in seconds (None: the exercise has none)."""
    limits = [c.minutes * 60 for c in exercise.criteria if c.type == "time_limit"]
    return min(limits) if limits else None


def evaluate_progress(
    exercise: Exercise,
    records: Sequence[Record],
    *,
    now: datetime,
    range_seed: int | None = None,
) -> Progress:
    """Every criterion of ``exercise`` against a live case's ledger ``records``."""
    seed = exercise.range_seed if range_seed is None else range_seed
    judged = judge_ledger(exercise, records, range_seed=seed)
    started, ended = _session_clock(records)
    ctx = _Live(records, range_facts(seed), started, ended, now)
    ticks = []
    for c in exercise.criteria:
        if c.type in LEDGER_TYPES:
            j = judged[c.id]
            state, reason = (DONE if j.fraction >= 1.0 else OPEN), j.reason
        else:
            state, reason = _LIVE[c.type](c, ctx)
        ticks.append(Tick(c.id, c.type, c.label, c.weight, state, reason, c.hint))
    return Progress(exercise.id, tuple(ticks), started, ended, time_limit_s(exercise), len(records))


def _times(records: Sequence[Record], kind: str) -> list[datetime]:
    out = []
    for r in records:
        when = r.when if r.kind == kind else None
        if when is not None:
            out.append(when)
    return out


def _session_clock(records: Sequence[Record]) -> tuple[datetime | None, datetime | None]:
    starts = _times(records, "session.start")
    if not starts:
        return None, None
    opened = {str(r.session) for r in records if r.kind == "session.start"}
    closed = {str(r.session) for r in records if r.kind == "session.end"}
    ends = _times(records, "session.end")
    return min(starts), (max(ends) if ends and opened <= closed else None)


@dataclass(frozen=True)
class _Live:
    records: Sequence[Record]
    facts: dict[str, str]
    started: datetime | None
    ended: datetime | None
    now: datetime

    def of_kind(self, *kinds: str) -> list[Record]:
        return [r for r in self.records if r.kind in kinds]


type _Verdict = tuple[str, Text]


def _time_limit(c: Criterion, ctx: _Live) -> _Verdict:
    limit = c.minutes * 60
    if ctx.started is None:
        return OPEN, Text(
            f"计时从第一次取证会话开始，时限 {fmt_duration(limit)}",
            f"the clock starts with the first capture session; limit {fmt_duration(limit)}",
        )
    span = max(0, int(((ctx.ended or ctx.now) - ctx.started).total_seconds()))
    if span > limit:
        return MISSED, Text(
            f"用时 {fmt_duration(span)}，超过时限 {fmt_duration(limit)}",
            f"{fmt_duration(span)} taken, over the limit of {fmt_duration(limit)}",
        )
    if ctx.ended is not None:
        return DONE, Text(
            f"用时 {fmt_duration(span)}，未超过时限 {fmt_duration(limit)}",
            f"took {fmt_duration(span)}, within the limit of {fmt_duration(limit)}",
        )
    return OPEN, Text(
        f"已用 {fmt_duration(span)}（时限 {fmt_duration(limit)}），会话结束后计入",
        f"{fmt_duration(span)} used of {fmt_duration(limit)}; counts once the session ends",
    )


def _recording(c: Criterion, ctx: _Live) -> _Verdict:
    videos = ctx.of_kind("capture.video")
    if not videos:
        return OPEN, Text("还没有屏幕录像", "no screen recording yet")
    sealed_us = 0
    unknown = 0
    for r in videos:
        value = VideoData.from_json(r.data).stated_duration_us
        if value is not None and value >= 0:
            sealed_us += value
        else:
            unknown += 1
    total = sealed_us / 1_000_000
    need = c.min_seconds
    if total >= need:
        return DONE, Text(
            f"已封存录像共 {fmt_duration(total)}，不少于 {fmt_duration(need)}（评分时再测量文件）",
            f"sealed recordings total {fmt_duration(total)}, at least {fmt_duration(need)} "
            "(the files are measured again at scoring)",
        )
    if unknown:
        return AT_SCORING, Text(
            f"已封存 {len(videos)} 段录像，时长在评分时测量",
            f"{len(videos)} recording segment(s) sealed; their length is measured at scoring",
        )
    return OPEN, Text(
        f"已封存录像共 {fmt_duration(total)}，要求至少 {fmt_duration(need)}",
        f"sealed recordings total {fmt_duration(total)}; at least {fmt_duration(need)} required",
    )


def _content(c: Criterion, ctx: _Live) -> _Verdict:
    assert c.url is not None
    match = url_with_facts(c.url, ctx.facts).matches
    where = fill(c.url.describe(), ctx.facts)
    # Scoring reads the bodies of recorded responses: only traffic segments can hold them.
    seen = any(match(u) for r in ctx.of_kind("capture.traffic") for u in entry_urls(r))
    if not seen:
        return OPEN, Text(
            f"流量记录中还没有 {where} 的响应", f"no recorded response of {where} yet"
        )
    facts = "、".join(f"“{fill(v, ctx.facts)}”" for v in c.contains)
    facts_en = ", ".join(f"“{fill(v, ctx.facts)}”" for v in c.contains)
    return AT_SCORING, Text(
        f"{where} 的响应已录制；其中是否有 {facts} 在评分时检查",
        f"a response of {where} is recorded; whether it shows {facts_en} is checked at scoring",
    )


def _stream_claims(c: Criterion, ctx: _Live) -> _Verdict:
    material = []
    if "recording" in c.sources:
        material += ctx.of_kind("capture.video")
    if "stream" in c.sources:
        material += ctx.of_kind("capture.stream", "capture.traffic")
    if not material:
        return OPEN, Text(
            "还没有能显示口播的录像或直播流数据",
            "nothing sealed yet that could show the claims (recording or stream data)",
        )
    return AT_SCORING, Text(
        f"已封存 {len(material)} 项录制材料；口播在评分时从画面中识别",
        f"{len(material)} recorded item(s) sealed; the claims are read from their frames "
        "at scoring",
    )


_LIVE = {
    "time_limit": _time_limit,
    "recording": _recording,
    "content": _content,
    "stream_claims": _stream_claims,
}

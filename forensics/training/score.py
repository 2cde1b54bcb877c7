"""Scoring a sealed package against an exercise: every point won or lost, with its reason.

``score_package`` verifies the package (``verify_package``) and reads it (``PackageReader``);
it needs no case store and no network. Each criterion of the rubric gives points between 0
and its weight and says why in Chinese and English; the integrity criterion gives its weight
only when the package verifies, and a package that fails verification has its total zeroed
(or capped, as the exercise says) — the other criteria are still reported, as feedback.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

from forensics.entry_data import EnvCheckData, TrafficData
from forensics.errors import AuthError, InputError
from forensics.ledger import Record
from forensics.ledger_checks import VerificationReport
from forensics.package.checks import verify_package
from forensics.package.reader import PackageReader
from forensics.report.labels import kind_name
from forensics.training.evidence import (
    VISIT_TYPES,
    LedgerView,
    PackageView,
    WarcIndex,
    entry_urls,
    host_of,
    items_of,
)
from forensics.training.exercise import Criterion, Exercise, Text, load_exercise
from forensics.training.facts import (
    fill,
    range_claims,
    range_facts,
    stream_loop_s,
    url_with_facts,
)
from forensics.training.text import fmt_duration, fmt_points, table, width
from forensics.trust import TrustPolicy

SCORE_FORMAT: Final = 1
DEFAULT_BUDGET_S: Final = 300.0
_SHOWN_FINDINGS: Final = 6


@dataclass(frozen=True)
class Detail:
    """One fact behind a criterion's points: something found (``ok``) or missing."""

    ok: bool
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class CriterionScore:
    id: str
    type: str
    label: Text
    points: float
    max_points: int
    reason: Text
    details: tuple[Detail, ...] = ()
    hint: Text | None = None

    @property
    def status(self) -> str:
        if self.points >= self.max_points:
            return "full"
        return "partial" if self.points > 0 else "none"

    @property
    def lost(self) -> float:
        return round(self.max_points - self.points, 2)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "label": self.label.as_json(),
            "points": self.points,
            "max": self.max_points,
            "lost": self.lost,
            "status": self.status,
            "reason": self.reason.as_json(),
            "details": [{"ok": d.ok, "zh": d.zh, "en": d.en} for d in self.details],
            "hint": self.hint.as_json() if self.hint and self.status != "full" else None,
        }


@dataclass(frozen=True)
class ScoreTable:
    exercise_id: str
    exercise_version: int
    exercise_title: Text
    package: str
    rows: tuple[CriterionScore, ...]  # the integrity criterion first
    integrity_ok: bool
    readable: bool
    subtotal: float  # before the integrity rule
    total: float
    max_total: int
    pass_mark: int
    rule: Text | None  # set when the integrity rule zeroed or capped the total
    trainee: str
    officers: tuple[str, ...]
    case_number: str
    duration_s: int | None
    findings: tuple[dict[str, str], ...]  # verification errors

    @property
    def passed(self) -> bool:
        return self.integrity_ok and self.total >= self.pass_mark

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SCORE_FORMAT,
            "exercise": {
                "id": self.exercise_id,
                "version": self.exercise_version,
                "title": self.exercise_title.as_json(),
            },
            "package": self.package,
            "trainee": self.trainee,
            "officers": list(self.officers),
            "case_number": self.case_number,
            "duration_s": self.duration_s,
            "readable": self.readable,
            "integrity_ok": self.integrity_ok,
            "subtotal": self.subtotal,
            "total": self.total,
            "max": self.max_total,
            "pass_mark": self.pass_mark,
            "passed": self.passed,
            "rule": self.rule.as_json() if self.rule else None,
            "criteria": [r.as_json() for r in self.rows],
            "verification_errors": list(self.findings),
        }

    def render(self, lang: str = "zh") -> str:
        zh = lang.startswith("zh")

        def tr(en: str, zh_text: str) -> str:
            return zh_text if zh else en

        lines = [
            tr("Exercise: ", "练习：")
            + f"{self.exercise_title.get(lang)} ({self.exercise_id} v{self.exercise_version})",
            tr("Package: ", "证据包：") + self.package,
        ]
        if self.trainee:
            lines.append(tr("Trainee: ", "学员：") + self.trainee)
        if self.duration_s is not None:
            lines.append(tr("Session time: ", "取证用时：") + fmt_duration(self.duration_s))
        lines.append("")
        mark = {"full": "✓", "partial": "~", "none": "✗"}
        rows = [["", tr("Criterion", "评分项"), tr("Points", "得分"), tr("Lost", "扣分")]]
        for r in self.rows:
            rows.append(
                [
                    mark[r.status],
                    r.label.get(lang),
                    f"{fmt_points(r.points)} / {r.max_points}",
                    "-" + fmt_points(r.lost) if r.lost else "",
                ]
            )
        body = table(rows, right=(False, False, True, True))
        lines += [body[0], "-" * max(width(x) for x in body)]
        for r, line in zip(self.rows, body[1:], strict=True):
            lines.append(line)
            lines.append("     " + r.reason.get(lang))
            lines += ["       " + ("+ " if d.ok else "- ") + d.text(lang) for d in r.details]
            if r.hint and r.status != "full":
                lines.append("       " + tr("Hint: ", "提示：") + r.hint.get(lang))
        lines.append("")
        if self.rule is not None:
            lines.append(self.rule.get(lang))
        verdict = tr("PASSED", "合格") if self.passed else tr("NOT PASSED", "不合格")
        lines.append(
            tr("Total: ", "总分：")
            + f"{fmt_points(self.total)} / {self.max_total}  "
            + tr(f"(pass mark {self.pass_mark}) ", f"（合格线 {self.pass_mark}）")
            + verdict
        )
        return "\n".join(lines)


# -- scoring ------------------------------------------------------------------------------


def score_package(
    path: Path,
    exercise: Exercise | str | Path,
    *,
    password: str | None = None,
    policy: TrustPolicy,
    range_seed: int | None = None,
    budget_s: float = DEFAULT_BUDGET_S,
) -> ScoreTable:
    """Score ``path`` against ``exercise`` (an ``Exercise``, an id or an exercise file).

    ``policy`` is what verification trusts (as for ``verify``; training accepted);
    ``range_seed`` overrides the exercise's seed of the practice range; ``budget_s`` bounds
    the time spent decoding recordings. Raises ``InputError`` if the file does not exist or
    ``AuthError`` for a wrong or missing password; a package that exists but cannot be read
    as a package scores zero, with the reason.
    """
    ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such package file: {path}", f"证据包文件不存在：{path}")
    seed = ex.range_seed if range_seed is None else range_seed
    try:
        report = verify_package(path, policy.for_training(), password=password)
    except AuthError:
        raise
    except InputError as exc:
        return _unreadable(ex, path, Text(exc.message_zh, exc.message_en))
    deadline = time.monotonic() + budget_s
    try:
        with (
            PackageReader(path, password) as reader,
            tempfile.TemporaryDirectory(prefix="qz-score-") as scratch,
        ):
            view = PackageView(reader, Path(scratch), deadline)
            ctx = _Context(view, ex, seed)
            rows = [_integrity_row(ex, report), *(_evaluate(c, ctx) for c in ex.criteria)]
    except AuthError:
        raise
    except InputError as exc:
        return _unreadable(ex, path, Text(exc.message_zh, exc.message_en), report)
    return _table(ex, path, rows, report, view)


class Judgement(NamedTuple):
    """How much of one criterion is met (0 to 1), why, and the facts behind it."""

    fraction: float
    reason: Text
    details: tuple[Detail, ...]


def judge_ledger(
    exercise: Exercise, records: Sequence[Record], *, range_seed: int | None = None
) -> dict[str, Judgement]:
    """The criteria of ``LEDGER_TYPES`` judged from ledger ``records`` alone (a live case's,
    for the training panel), by criterion id, with the reasons scoring gives. No WARC is
    read, so a visit or a host counts only when an entry names it: this finds at most what
    ``score_package`` finds, never more.
    """
    seed = exercise.range_seed if range_seed is None else range_seed
    ctx = _Context(LedgerView(list(records)), exercise, seed)
    out = {}
    for c in exercise.criteria:
        if c.type in LEDGER_TYPES:
            fraction, reason, details = _KINDS[c.type].evaluate(c, ctx)
            out[c.id] = Judgement(max(0.0, min(1.0, fraction)), reason, tuple(details))
    return out


def _unreadable(
    ex: Exercise, path: Path, why: Text, report: VerificationReport | None = None
) -> ScoreTable:
    reason = Text(f"证据包无法读取：{why.zh}", f"the package cannot be read: {why.en}")
    rows = [
        CriterionScore(
            "integrity", "integrity", _INTEGRITY_LABEL, 0.0, ex.integrity.weight, reason
        ),
        *(
            CriterionScore(
                c.id,
                c.type,
                c.label,
                0.0,
                c.weight,
                Text("未评分：证据包无法读取", "not scored: the package cannot be read"),
            )
            for c in ex.criteria
        ),
    ]
    findings = tuple(_finding_json(f) for f in report.errors) if report else ()
    return ScoreTable(
        ex.id, ex.version, ex.title, path.name, tuple(rows), False, False, 0.0, 0.0,
        ex.max_points, ex.pass_mark,
        Text("证据包无法读取，总分为 0。", "The package cannot be read: the total is 0."),
        "", (), "", None, findings,
    )  # fmt: skip


_INTEGRITY_LABEL = Text("证据包完整性（通过校验）", "Package integrity (verifies)")


def _finding_json(f: Any) -> dict[str, str]:
    return {"code": f.code, "subject": f.subject, "en": f.en, "zh": f.zh}


def _integrity_row(ex: Exercise, report: VerificationReport) -> CriterionScore:
    w = ex.integrity.weight
    warnings = [f for f in report.findings if f.severity.value == "warning"]
    if report.bottom_line:
        return CriterionScore(
            "integrity",
            "integrity",
            _INTEGRITY_LABEL,
            float(w),
            w,
            Text(
                f"证据包通过校验：{report.entries} 条账本记录、{report.items} 个证据文件完好"
                + (f"（{len(warnings)} 项提示需复核）" if warnings else ""),
                f"the package verifies: {report.entries} ledger entries and {report.items} items intact"
                + (f" ({len(warnings)} warning(s) to review)" if warnings else ""),
            ),
        )
    errors = report.errors
    details = tuple(
        Detail(False, f"[{f.code}] {f.subject}：{f.zh}", f"[{f.code}] {f.subject}: {f.en}")
        for f in errors[:_SHOWN_FINDINGS]
    )
    if len(errors) > _SHOWN_FINDINGS:
        more = len(errors) - _SHOWN_FINDINGS
        details += (Detail(False, f"……另有 {more} 项", f"… and {more} more"),)
    return CriterionScore(
        "integrity",
        "integrity",
        _INTEGRITY_LABEL,
        0.0,
        w,
        Text(
            f"证据包未通过校验（{len(errors)} 项完整性问题）：证据可能被改动",
            f"the package fails verification ({len(errors)} integrity finding(s)): the evidence may have been altered",
        ),
        details,
    )


def _table(
    ex: Exercise,
    path: Path,
    rows: list[CriterionScore],
    report: VerificationReport,
    view: PackageView,
) -> ScoreTable:
    subtotal = round(sum(r.points for r in rows), 2)
    total = subtotal
    rule = None
    if not report.bottom_line:
        if ex.integrity.on_fail == "zero":
            total = 0.0
            rule = Text(
                f"证据包未通过校验：按评分规则总分记为 0（各项得分 {fmt_points(subtotal)} 仅供参考）。",
                f"The package fails verification: by the rubric the total is 0 "
                f"(the {fmt_points(subtotal)} points above are feedback only).",
            )
        elif subtotal > ex.integrity.cap:
            total = float(ex.integrity.cap)
            rule = Text(
                f"证据包未通过校验：按评分规则总分上限为 {ex.integrity.cap}。",
                f"The package fails verification: by the rubric the total is capped at {ex.integrity.cap}.",
            )
    opener = view.first("case.open")
    trainee = f"{opener.actor_name} ({opener.actor_badge})" if opener else " ()"
    officers = tuple(f"{o.name} ({o.badge})" for o in view.officers().values())
    number = str(opener.data.get("number", "")) if opener else ""
    return ScoreTable(
        ex.id, ex.version, ex.title, path.name, tuple(rows), report.bottom_line, True,
        subtotal, total, ex.max_points, ex.pass_mark, rule, trainee, officers, number,
        _session_span(view.records), tuple(_finding_json(f) for f in report.errors),
    )  # fmt: skip


def _session_span(records: list[Record]) -> int | None:
    starts = [r for r in records if r.kind == "session.start"]
    ends = [r for r in records if r.kind == "session.end"]
    if not starts or not ends:
        return None
    times = [r.when for r in starts], [r.when for r in ends]
    if None in times[0] or None in times[1]:
        return None
    t0 = min(t for t in times[0] if t is not None)
    t1 = max(t for t in times[1] if t is not None)
    return max(0, int((t1 - t0).total_seconds()))


# -- criteria -----------------------------------------------------------------------------


class _Context:
    def __init__(self, view: LedgerView, ex: Exercise, seed: int) -> None:
        self.view = view
        self.ex = ex
        self.seed = seed
        self.facts = range_facts(seed)
        self._warc: WarcIndex | None = None

    def sub(self, value: str) -> str:
        return fill(value, self.facts)

    def matcher(self, c: Criterion) -> Callable[[str], bool]:
        assert c.url is not None
        return url_with_facts(c.url, self.facts).matches

    def describe(self, c: Criterion) -> str:
        assert c.url is not None
        return self.sub(c.url.describe())

    @property
    def package(self) -> PackageView:
        """The package, for the criteria that read its files (never on a ledger alone)."""
        if not isinstance(self.view, PackageView):
            raise TypeError("this criterion is scored from a package only")
        return self.view

    def warc(self) -> WarcIndex:
        """The WARCs scanned once for every criterion's needs (none for a ledger alone)."""
        if self._warc is None and not isinstance(self.view, PackageView):
            self._warc = WarcIndex()
        if self._warc is None:
            wanted = [self.matcher(c) for c in self.ex.criteria if c.type == "content"]
            media = [
                c.sample_seconds
                for c in self.ex.criteria
                if c.type == "stream_claims" and "stream" in c.sources
            ]
            self._warc = self.package.warc(
                lambda uri: any(m(uri) for m in wanted), min(media) if media else None
            )
        return self._warc


def _evaluate(c: Criterion, ctx: _Context) -> CriterionScore:
    fraction, reason, details = _KINDS[c.type].evaluate(c, ctx)
    points = round(c.weight * max(0.0, min(1.0, fraction)), 2)
    return CriterionScore(c.id, c.type, c.label, points, c.weight, reason, tuple(details), c.hint)


Result = tuple[float, Text, list[Detail]]


def _count_result(got: int, need: int, what: Text, found: list[Detail]) -> Result:
    if got >= need:
        return 1.0, Text(f"已完成：{what.zh}（{got} 项）", f"done: {what.en} ({got})"), found
    return (
        got / need,
        Text(
            f"不足：{what.zh}，需要 {need} 项，只有 {got} 项",
            f"missing: {what.en}: {need} needed, {got} found",
        ),
        found,
    )


def _kinds_text(kinds: Sequence[str]) -> Text:
    """The kinds as a trainee reads them ("整页截图或截图"), never as ledger codes."""
    return Text(
        "或".join(kind_name("zh", k) for k in kinds),
        " or ".join(kind_name("en", k) for k in kinds),
    )


def _eval_capture(c: Criterion, ctx: _Context) -> Result:
    match = ctx.matcher(c)
    found = []
    for r in ctx.view.of_kind(c.kinds):
        urls = [u for u in entry_urls(r) if match(u)]
        if urls and items_of(r):
            path = str(items_of(r)[0].get("path", ""))
            found.append(
                Detail(
                    True,
                    f"账本第 {r.seq} 条（{kind_name('zh', r.kind)}）：{urls[0]} → {path}",
                    f"ledger entry {r.seq} ({kind_name('en', r.kind)}): {urls[0]} → {path}",
                )
            )
    what = Text(
        f"{_kinds_text(c.kinds).zh}：{ctx.describe(c)}",
        f"{_kinds_text(c.kinds).en} of {ctx.describe(c)}",
    )
    return _count_result(len(found), c.min_count, what, found)


def _where_entry(r: Record) -> Text:
    return Text(f"账本第 {r.seq} 条", f"ledger entry {r.seq}")


def _visited_urls(ctx: _Context) -> dict[str, Text]:
    """Every URL the package shows as visited, with where: the WARCs (the recorded
    traffic itself) first, then URLs named by capture entries."""
    out: dict[str, Text] = {}
    for w in ctx.warc().records:
        if w.rec_type in VISIT_TYPES and w.uri:
            out.setdefault(w.uri, Text(w.member, w.member))
    for r in ctx.view.records:
        if r.kind.startswith("capture."):
            for u in entry_urls(r):
                out.setdefault(u, _where_entry(r))
    return out


def _eval_visited(c: Criterion, ctx: _Context) -> Result:
    match = ctx.matcher(c)
    hits = {u: where for u, where in _visited_urls(ctx).items() if match(u)}
    found = [Detail(True, f"{u}（{w.zh}）", f"{u} ({w.en})") for u, w in sorted(hits.items())[:10]]
    what = Text(f"访问并记录 {ctx.describe(c)}", f"visited and recorded {ctx.describe(c)}")
    return _count_result(len(hits), c.min_count, what, found)


def _eval_traffic(c: Criterion, ctx: _Context) -> Result:
    seen: dict[str, Text] = {}
    for w in ctx.warc().records:
        if w.rec_type == "response" and w.uri:
            seen.setdefault(host_of(w.uri), Text(w.member, w.member))
    for r in ctx.view.of_kind(["capture.traffic"]):
        for h in TrafficData.from_json(r.data).hosts:
            seen.setdefault(h.lower(), _where_entry(r))
    details = []
    for h in c.hosts:
        where = seen.get(h)
        details.append(
            Detail(True, f"{h}：已录制（{where.zh}）", f"{h}: recorded ({where.en})")
            if where
            else Detail(False, f"{h}：没有录制到的流量", f"{h}: no recorded traffic")
        )
    got = sum(d.ok for d in details)
    return _part_result(
        got, len(c.hosts), Text("流量覆盖的站点", "hosts covered by traffic"), details
    )


def _part_result(got: int, need: int, what: Text, details: list[Detail]) -> Result:
    fraction = got / need if need else 1.0
    return (
        fraction,
        Text(f"{what.zh}：{got} / {need}", f"{what.en}: {got} of {need}"),
        details,
    )


def _eval_content(c: Criterion, ctx: _Context) -> Result:
    match = ctx.matcher(c)
    index = ctx.warc()
    texts = {uri: index.body_text(uri) for uri in index.bodies if match(uri)}
    details = []
    for raw in c.contains:
        want = ctx.sub(raw)
        where = next((u for u, bodies in texts.items() if any(want in b for b in bodies)), None)
        details.append(
            Detail(
                True,
                f"“{want}” 见于 {where} 的录制响应",
                f"“{want}” is in the recorded response of {where}",
            )
            if where
            else Detail(False, f"录制的响应中没有“{want}”", f"“{want}” is in no recorded response")
        )
    got = sum(d.ok for d in details)
    if not texts:
        details.insert(
            0,
            Detail(
                False,
                f"流量记录（WARC）中没有 {ctx.describe(c)} 的响应",
                f"no response of {ctx.describe(c)} in the recorded traffic (WARC)",
            ),
        )
    return _part_result(
        got,
        len(c.contains),
        Text("录制内容中的关键事实", "key facts in the recorded content"),
        details,
    )


def _eval_items(c: Criterion, ctx: _Context) -> Result:
    regex = re.compile(c.media_type) if c.media_type else None
    found = []
    for r in ctx.view.of_kind(c.kinds):
        items = items_of(r)
        if not items and regex is None:
            # Entries that seal no file (mark, note) count themselves.
            found.append(
                Detail(
                    True,
                    f"账本第 {r.seq} 条（{kind_name('zh', r.kind)}）",
                    f"ledger entry {r.seq} ({kind_name('en', r.kind)})",
                )
            )
        for item in items:
            mt = str(item.get("media_type", ""))
            if regex is None or regex.search(mt):
                found.append(
                    Detail(
                        True,
                        f"账本第 {r.seq} 条（{kind_name('zh', r.kind)}）：{item.get('path')}（{mt}）",
                        f"ledger entry {r.seq} ({kind_name('en', r.kind)}): {item.get('path')} ({mt})",
                    )
                )
    kinds = _kinds_text(c.kinds)
    what = Text(
        kinds.zh + (f"（类型 {c.media_type}）" if c.media_type else ""),
        kinds.en + (f" (type {c.media_type})" if c.media_type else ""),
    )
    return _count_result(len(found), c.min_count, what, found)


def _video_items(view: LedgerView, kinds: Sequence[str]) -> list[tuple[Record, str]]:
    out = []
    for r in view.of_kind(kinds):
        for item in items_of(r):
            path = str(item.get("path", ""))
            mt = str(item.get("media_type", ""))
            if mt.startswith("video/") or path.lower().endswith(
                (".mp4", ".webm", ".mkv", ".ts", ".mov")
            ):
                out.append((r, path))
    return out


def _eval_recording(c: Criterion, ctx: _Context) -> Result:
    total = 0.0
    details = []
    for r, path in _video_items(ctx.view, ["capture.video"]):
        scan = ctx.package.video(path, markers=False)
        if scan.duration_s is None:
            details.append(
                Detail(
                    False,
                    f"{path}：无法读取录像（{scan.error}）",
                    f"{path}: unreadable recording ({scan.error})",
                )
            )
            continue
        total += scan.duration_s
        details.append(
            Detail(
                True,
                f"账本第 {r.seq} 条：{path}，时长 {fmt_duration(scan.duration_s)}",
                f"ledger entry {r.seq}: {path}, {fmt_duration(scan.duration_s)} long",
            )
        )
    need = c.min_seconds
    if not details:
        return (
            0.0,
            Text("没有屏幕录像", "no screen recording"),
            details,
        )
    if total >= need:
        return (
            1.0,
            Text(
                f"屏幕录像共 {fmt_duration(total)}，不少于要求的 {fmt_duration(need)}",
                f"screen recordings total {fmt_duration(total)}, at least the {fmt_duration(need)} required",
            ),
            details,
        )
    return (
        total / need if need else 1.0,
        Text(
            f"屏幕录像共 {fmt_duration(total)}，少于要求的 {fmt_duration(need)}",
            f"screen recordings total {fmt_duration(total)}, less than the {fmt_duration(need)} required",
        ),
        details,
    )


def _eval_stream_claims(c: Criterion, ctx: _Context) -> Result:
    claims = range_claims(ctx.seed)
    # claim id -> (where, at) for the first sighting of each.
    seen: dict[int, tuple[str, str, str]] = {}
    notes: list[Detail] = []
    if "recording" in c.sources:
        videos = _video_items(ctx.view, ["capture.video"])
        if not videos:
            notes.append(Detail(False, "没有屏幕录像", "no screen recording"))
        for _, path in videos:
            scan = ctx.package.video(path, markers=True, sample_seconds=c.sample_seconds)
            if scan.error:
                notes.append(Detail(False, f"{path}：{scan.error}", f"{path}: {scan.error}"))
            if scan.truncated:
                notes.append(
                    Detail(
                        False,
                        f"{path}：分析时间已用尽，只检查了前 {scan.samples} 帧",
                        f"{path}: analysis budget used up after {scan.samples} frames",
                    )
                )
            for s in scan.sightings:
                if s.claim_id and s.claim_id not in seen:
                    seen[s.claim_id] = (
                        path,
                        f"录像 {fmt_duration(s.at_s)}",
                        f"at {fmt_duration(s.at_s)} of the recording",
                    )
    if "stream" in c.sources:
        index = ctx.warc()
        for ss in index.sightings:
            if ss.sighting.claim_id and ss.sighting.claim_id not in seen:
                seen[ss.sighting.claim_id] = (
                    f"{ss.source} {ss.uri}",
                    "直播流片段",
                    "in a stream segment",
                )
        for _, path in _video_items(ctx.view, ["capture.stream"]):
            scan = ctx.package.video(path, markers=True, sample_seconds=c.sample_seconds)
            for s in scan.sightings:
                if s.claim_id and s.claim_id not in seen:
                    seen[s.claim_id] = (path, "直播流数据", "in the stream data")
        if index.truncated:
            notes.append(
                Detail(
                    False,
                    "直播流片段过多，只分析了一部分",
                    "too many stream segments: only some were analysed",
                )
            )
    what = (
        Text("录像覆盖的口播", "claims shown by the recording")
        if "recording" in c.sources
        else Text("直播流数据中的口播", "claims in the captured stream data")
    )
    where = (
        Text("录像", "the recording")
        if c.sources == ("recording",)
        else Text("直播流数据", "the captured stream data")
        if c.sources == ("stream",)
        else Text("录像和直播流数据", "the recording or the stream data")
    )
    details = []
    for kind in c.claims:
        info = claims[kind]
        hit = seen.get(info.claim_id)
        if hit:
            details.append(
                Detail(
                    True,
                    f"口播“{info.text}”（{kind}）：{hit[1]}，{hit[0]}",
                    f"claim “{info.text_en}” ({kind}): {hit[2]}, {hit[0]}",
                )
            )
        else:
            details.append(
                Detail(
                    False,
                    f"口播“{info.text}”（{kind}）：{where.zh}中未出现"
                    f"（每 {_loop_text(ctx)} 循环一次，在直播时间第 {info.start_s}–{info.end_s} 秒）",
                    f"claim “{info.text_en}” ({kind}): not found in {where.en} (it loops every "
                    f"{_loop_text(ctx)}, at stream seconds {info.start_s}–{info.end_s})",
                )
            )
    got = sum(d.ok for d in details)
    return _part_result(got, len(c.claims), what, details + notes)


def _loop_text(ctx: _Context) -> str:
    return fmt_duration(stream_loop_s(ctx.seed))


def _eval_env_check(c: Criterion, ctx: _Context) -> Result:
    checks = ctx.view.of_kind(["env.check"])
    captures = [r.seq for r in ctx.view.records if r.kind.startswith("capture.")]
    first = min(captures, default=None)
    last = max(captures, default=None)

    def phase(r: Record) -> str:
        return EnvCheckData.from_json(r.data).phase

    before = [r for r in checks if phase(r) in ("before", "") and (first is None or r.seq < first)]
    after = [r for r in checks if phase(r) in ("after", "") and (last is None or r.seq > last)]
    if before and after and after[-1] is before[0]:
        after = []  # one unlabelled check cannot be both
    details = [
        Detail(
            True,
            f"取证前检查：账本第 {before[0].seq} 条",
            f"check before capture: ledger entry {before[0].seq}",
        )
        if before
        else Detail(False, "取证前没有清洁性检查", "no environment check before the first capture"),
        Detail(
            True,
            f"取证后检查：账本第 {after[-1].seq} 条",
            f"check after capture: ledger entry {after[-1].seq}",
        )
        if after
        else Detail(False, "取证后没有清洁性检查", "no environment check after the last capture"),
    ]
    got = sum(d.ok for d in details)
    return _part_result(
        got, 2, Text("清洁性检查（取证前、后）", "environment checks (before, after)"), details
    )


def _eval_officers(c: Criterion, ctx: _Context) -> Result:
    officers = ctx.view.officers()
    ends = ctx.view.of_kind(["session.end"])
    details = [
        Detail(
            True,
            f"办案人员：{o.name}（{o.badge}）",
            f"officer: {o.name} ({o.badge})",
        )
        for o in officers.values()
    ]
    if not ends:
        return (
            0.0,
            Text("没有结束的取证会话", "no closed capture session"),
            details,
        )
    worst = None
    for r in ends:
        signers = {r.actor_key}
        signers |= {
            str(co.get("actor", {}).get("key", "")) for co in r.cosig if isinstance(co, dict)
        }
        present = [o for k, o in officers.items() if k in signers]
        names = "、".join(f"{o.name}（{o.badge}）" for o in present)
        names_en = ", ".join(f"{o.name} ({o.badge})" for o in present)
        ok = len(present) >= c.min_officers
        details.append(
            Detail(
                ok,
                f"账本第 {r.seq} 条结束会话，签名人员 {len(present)} 名：{names}",
                f"ledger entry {r.seq} closes a session signed by {len(present)} officer(s): {names_en}",
            )
        )
        worst = len(present) if worst is None else min(worst, len(present))
    assert worst is not None
    if worst >= c.min_officers:
        return (
            1.0,
            Text(
                f"每个取证会话均由至少 {c.min_officers} 名执法人员签名结束",
                f"every session was closed with the signatures of at least {c.min_officers} officers",
            ),
            details,
        )
    return (
        0.0,
        Text(
            f"有取证会话只有 {worst} 名执法人员签名，要求至少 {c.min_officers} 名",
            f"a session was closed by {worst} officer(s); at least {c.min_officers} are required",
        ),
        details,
    )


_FIELD_NAMES = {
    "number": ("案号", "case number"),
    "cause": ("案由", "cause of action"),
    "purpose": ("取证目的", "purpose"),
    "location": ("取证地点", "location"),
    "target": ("取证对象", "target"),
    "title": ("案件标题", "title"),
    "target.platform": ("平台", "platform"),
    "target.shop": ("网店名称", "shop"),
    "target.url": ("目标网址", "target URL"),
    "target.account": ("账号 / 直播间", "account / room"),
}


def _lookup(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _eval_case_fields(c: Criterion, ctx: _Context) -> Result:
    opener = ctx.view.first("case.open")
    data = dict(opener.data) if opener else {}
    details = []
    for name in c.fields:
        value = _lookup(data, name)
        zh, en = _FIELD_NAMES.get(name, (name, name))
        filled = bool(value.strip()) if isinstance(value, str) else bool(value)
        shown = value if isinstance(value, str) else ("…" if filled else "")
        details.append(
            Detail(True, f"{zh}：{shown}", f"{en}: {shown}")
            if filled
            else Detail(False, f"{zh}：未填写", f"{en}: empty")
        )
    got = sum(d.ok for d in details)
    if opener is None:
        return (
            0.0,
            Text("账本中没有立案记录（case.open）", "no case.open entry in the ledger"),
            details,
        )
    return _part_result(got, len(c.fields), Text("笔录必填项", "required record fields"), details)


def _eval_time_limit(c: Criterion, ctx: _Context) -> Result:
    span = _session_span(ctx.view.records)
    limit = c.minutes * 60
    if span is None:
        return (
            0.0,
            Text("没有完整的取证会话（开始与结束）", "no complete capture session (start and end)"),
            [],
        )
    if span <= limit:
        return (
            1.0,
            Text(
                f"用时 {fmt_duration(span)}，未超过时限 {fmt_duration(limit)}",
                f"took {fmt_duration(span)}, within the limit of {fmt_duration(limit)}",
            ),
            [],
        )
    return (
        0.0,
        Text(
            f"用时 {fmt_duration(span)}，超过时限 {fmt_duration(limit)}",
            f"took {fmt_duration(span)}, over the limit of {fmt_duration(limit)}",
        ),
        [],
    )


@dataclass(frozen=True)
class _Kind:
    evaluate: Callable[[Criterion, _Context], Result]
    ledger: bool  # decided by the ledger alone (``judge_ledger``, the live training panel)


# Every criterion kind the exercise format names (``exercise.CRITERION_TYPES``), once: how it
# is scored, and whether the ledger alone decides it — captures and visits by the URLs
# entries name (each sealed traffic segment lists its URLs and hosts), items, checks,
# signatures, record fields — or it needs the package's files (content, recordings, time).
_KINDS: Final[dict[str, _Kind]] = {
    "capture": _Kind(_eval_capture, ledger=True),
    "visited": _Kind(_eval_visited, ledger=True),
    "traffic": _Kind(_eval_traffic, ledger=True),
    "content": _Kind(_eval_content, ledger=False),
    "items": _Kind(_eval_items, ledger=True),
    "recording": _Kind(_eval_recording, ledger=False),
    "stream_claims": _Kind(_eval_stream_claims, ledger=False),
    "env_check": _Kind(_eval_env_check, ledger=True),
    "officers": _Kind(_eval_officers, ledger=True),
    "case_fields": _Kind(_eval_case_fields, ledger=True),
    "time_limit": _Kind(_eval_time_limit, ledger=False),
}
LEDGER_TYPES: Final = frozenset(t for t, kind in _KINDS.items() if kind.ledger)

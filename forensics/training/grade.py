"""Grading a trainee's answers to tamper challenges against the answer key.

The answer sheet (format 1, documented in ``resources/exercises/README.md``)::

    {"format": 1, "kind": "quzheng-tamper-answers", "trainee": "张明 31000001",
     "answers": [{"file": "challenge-01.qzp", "class": "token-moved",
                  "location": "custody/timestamps/7.tsr"}, ...]}

Per challenge: one point for the right class, one for the right place. A place is a file in
the package (``evidence/000005-shot.png``) or a ledger entry (``entry 7``; ``7``,
``seq 7``, ``#7`` and ``第7条`` mean the same). Where a manipulation has more than one right
answer (two swapped entries; a file and the entry that sealed it), the key lists them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from forensics.errors import InputError, os_reason
from forensics.training.exercise import Text
from forensics.training.tamper import ANSWERS_FORMAT, CLASS_LABELS, CLASSES, AnswerKey
from forensics.training.text import fmt_points, table

_MAX_BYTES: Final = 4 << 20
_ENTRY = re.compile(
    r"^(?:ledger\s+)?(?:entry|seq|no\.?|#|第)?\s*(\d{1,9})\s*(?:条|号)?$", re.IGNORECASE
)


class AnswersError(InputError):
    """An answer sheet (or key) that cannot be read."""


@dataclass(frozen=True)
class GradeRow:
    file: str
    expected_class: str
    expected_location: str
    answered_class: str
    answered_location: str
    class_ok: bool
    location_ok: bool
    explanation: Text

    @property
    def points(self) -> int:
        return int(self.class_ok) + int(self.location_ok)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "expected": {"class": self.expected_class, "location": self.expected_location},
            "answered": {"class": self.answered_class, "location": self.answered_location},
            "class_ok": self.class_ok,
            "location_ok": self.location_ok,
            "points": self.points,
            "explanation": self.explanation.as_json(),
        }


@dataclass(frozen=True)
class GradeReport:
    trainee: str
    rows: tuple[GradeRow, ...]
    unknown_files: tuple[str, ...]  # answered, but not in the key

    @property
    def points(self) -> int:
        return sum(r.points for r in self.rows)

    @property
    def max_points(self) -> int:
        return 2 * len(self.rows)

    @property
    def classes_right(self) -> int:
        return sum(r.class_ok for r in self.rows)

    @property
    def locations_right(self) -> int:
        return sum(r.location_ok for r in self.rows)

    @property
    def percent(self) -> float:
        return round(100 * self.points / self.max_points, 1) if self.rows else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "trainee": self.trainee,
            "points": self.points,
            "max": self.max_points,
            "percent": self.percent,
            "classes_right": self.classes_right,
            "locations_right": self.locations_right,
            "challenges": [r.as_json() for r in self.rows],
            "unknown_files": list(self.unknown_files),
        }

    def render(self, lang: str = "zh") -> str:
        zh = lang.startswith("zh")

        def tr(en: str, zh_text: str) -> str:
            return zh_text if zh else en

        def label(cls: str) -> str:
            return CLASS_LABELS[cls].get(lang) if cls in CLASS_LABELS else cls or "—"

        out = []
        if self.trainee:
            out.append(tr("Trainee: ", "学员：") + self.trainee)
        rows = [
            [
                tr("Challenge", "题目"),
                tr("Class", "篡改类型"),
                tr("Place", "位置"),
                tr("Points", "得分"),
            ]
        ]
        for r in self.rows:
            rows.append(
                [
                    r.file,
                    ("✓ " if r.class_ok else "✗ ") + label(r.answered_class),
                    ("✓ " if r.location_ok else "✗ ") + (r.answered_location or "—"),
                    f"{r.points} / 2",
                ]
            )
        out += table(rows, right=(False, False, False, True))
        wrong = [r for r in self.rows if r.points < 2]
        if wrong:
            out.append("")
            out.append(tr("Answers:", "正确答案："))
            for r in wrong:
                out.append(
                    f"  {r.file}: {label(r.expected_class)} — {r.expected_location}"
                    + f"  ({r.explanation.get(lang)})"
                )
        for f in self.unknown_files:
            out.append(
                tr(f"(answer for unknown file {f} ignored)", f"（未知文件 {f} 的答案已忽略）")
            )
        out.append("")
        out.append(
            tr("Total: ", "总分：")
            + f"{self.points} / {self.max_points} ({fmt_points(self.percent)}%)  "
            + tr(
                f"classes {self.classes_right}/{len(self.rows)}, places {self.locations_right}/{len(self.rows)}",
                f"类型正确 {self.classes_right}/{len(self.rows)}，位置正确 {self.locations_right}/{len(self.rows)}",
            )
        )
        return "\n".join(out)


def normalize_location(value: object) -> str:
    """``entry N`` for a ledger entry however written; a package path without ``./``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"entry {value}"
    text = str(value).strip()
    m = _ENTRY.match(text)
    if m:
        return f"entry {int(m.group(1))}"
    return text.removeprefix("./").lstrip("/")


def normalize_class(value: object) -> str:
    text = str(value).strip()
    low = text.lower().replace("_", "-").replace(" ", "-")
    if low in CLASSES:
        return low
    for cls, label in CLASS_LABELS.items():
        if text in (label.zh, label.en):
            return cls
    return low


def _load(source: str | bytes | Path | Mapping[str, Any], what: Text) -> Any:
    if isinstance(source, Mapping):
        return dict(source)
    data: str | bytes
    if isinstance(source, Path):
        try:
            data = source.read_bytes()[: _MAX_BYTES + 1]
        except OSError as exc:
            raise AnswersError(
                f"cannot read {what.en} {source}: {exc.strerror}",
                f"无法读取{what.zh} {source}：{os_reason(exc)[1]}",
            ) from None
    else:
        data = source
    if len(data) > _MAX_BYTES:
        raise AnswersError(f"the {what.en} is too large", f"{what.zh}过大")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AnswersError(
            f"the {what.en} is not valid JSON ({exc})", f"{what.zh}不是有效的 JSON（{exc}）"
        ) from None


def grade(
    answers_json: str | bytes | Path | Mapping[str, Any],
    key_json: str | bytes | Path | Mapping[str, Any],
) -> GradeReport:
    """Grade an answer sheet against a key (JSON text, a file path or parsed JSON each)."""
    key = AnswerKey.from_json(_load(key_json, Text("答案文件", "answer key")))
    raw = _load(answers_json, Text("答题文件", "answer sheet"))
    if not isinstance(raw, dict) or not isinstance(raw.get("answers"), list):
        raise AnswersError(
            'the answer sheet needs an "answers" list (see the answers template)',
            "答题文件须包含 answers 列表（参见答题模板）",
        )
    if raw.get("format", ANSWERS_FORMAT) != ANSWERS_FORMAT:
        raise AnswersError(
            f"answer sheet format {raw.get('format')!r} is not supported",
            f"不支持答题文件格式 {raw.get('format')!r}",
        )
    given: dict[str, dict[str, Any]] = {}
    for i, a in enumerate(raw["answers"]):
        if not isinstance(a, dict) or not isinstance(a.get("file"), str):
            raise AnswersError(f'answer {i + 1} has no "file"', f"第 {i + 1} 条答案缺少 file")
        given[Path(a["file"]).name] = a
    known = {c.file for c in key.challenges}
    rows = []
    for c in key.challenges:
        a = given.get(c.file, {})
        cls = normalize_class(a.get("class", "")) if a.get("class") not in (None, "") else ""
        loc_raw = a.get("location", "")
        loc = normalize_location(loc_raw) if loc_raw not in (None, "") else ""
        accept = {normalize_location(x) for x in c.accept}
        rows.append(
            GradeRow(
                c.file, c.cls, c.location, cls, str(loc_raw or ""),
                cls == c.cls, bool(loc) and loc in accept, c.explanation,
            )
        )  # fmt: skip
    trainee = str(raw.get("trainee", "") or "")
    return GradeReport(trainee, tuple(rows), tuple(sorted(set(given) - known)))

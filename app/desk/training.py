"""Training mode for the windows: which exercise a case is practising, its live checklist,
and the instructor's leaderboard.

A case's exercise is a GUI setting, not evidence: it lives in ``<data home>/training.json``
(case id → exercise id and when it was chosen) and never in the sealed ledger, so binding,
changing or dropping an exercise leaves the case's chain untouched. Every function here
reads files or packages: call it through ``run_task``, never on the GUI thread.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.installation import Installation
from app.jsonfile import read_json, write_json
from forensics.canonical import format_time, parse_time, utc_now
from forensics.errors import InputError
from forensics.training import (
    Exercise,
    Leaderboard,
    Progress,
    evaluate_progress,
    leaderboard,
    list_exercises,
    load_exercise,
)

BINDINGS_FILE = "training.json"


@dataclass(frozen=True)
class Binding:
    case_id: str
    exercise_id: str
    chosen: datetime


def _path(inst: Installation) -> Path:
    return inst.home / BINDINGS_FILE


def _load(inst: Installation) -> dict[str, Any]:
    raw = read_json(_path(inst), "training settings file", "训练设置文件")
    cases = raw.get("cases") if isinstance(raw, dict) else None
    return dict(cases) if isinstance(cases, dict) else {}


def _save(inst: Installation, cases: dict[str, Any]) -> None:
    write_json(_path(inst), {"format": 1, "cases": cases})


def binding(inst: Installation, case_id: str) -> Binding | None:
    """The exercise ``case_id`` practises, if one was chosen."""
    entry = _load(inst).get(case_id)
    if not isinstance(entry, dict) or not isinstance(entry.get("exercise"), str):
        return None
    try:
        chosen = parse_time(str(entry.get("chosen")))
    except InputError:
        chosen = utc_now()
    return Binding(case_id, entry["exercise"], chosen)


def bind(
    inst: Installation, case_id: str, exercise_id: str, now: datetime | None = None
) -> Binding:
    """Make ``case_id`` practise ``exercise_id`` (replacing an earlier choice)."""
    load_exercise(exercise_id)  # refuse an unknown exercise here, not at every refresh
    cases = _load(inst)
    chosen = now or utc_now()
    cases[case_id] = {"exercise": exercise_id, "chosen": format_time(chosen)}
    _save(inst, cases)
    return Binding(case_id, exercise_id, chosen)


def unbind(inst: Installation, case_id: str) -> None:
    cases = _load(inst)
    if cases.pop(case_id, None) is not None:
        _save(inst, cases)


def is_training_case(inst: Installation, case_id: str) -> bool:
    """Whether ``case_id`` was opened as a training case (an exercise bound to any other
    case is allowed, but the window warns: what it captures is real evidence)."""
    with inst.open_case(case_id, recover=False) as case:
        return case.training


def exercises() -> list[Exercise]:
    """The exercises shipped in ``resources/exercises``."""
    return list_exercises()


def case_progress(
    inst: Installation, case_id: str, exercise_id: str, now: datetime | None = None
) -> tuple[Exercise, Progress]:
    """The case's checklist now: its ledger read (never recovered or written) and judged."""
    exercise = load_exercise(exercise_id)
    with inst.open_case(case_id, recover=False) as case:
        records = case.ledger.records()
    return exercise, evaluate_progress(exercise, records, now=now or utc_now())


def build_board(
    inst: Installation,
    packages: Sequence[Path],
    exercise_id: str,
    out_dir: Path,
    *,
    password: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Leaderboard:
    """Score ``packages`` and rank them; CSV, HTML, JSON (and PDF) are written to ``out_dir``.
    Trust (agency CAs, TSA roots) comes from the data home, as for verification."""
    return leaderboard(
        list(packages),
        exercise_id,
        out_dir,
        password=password or None,
        policy=inst.trust_policy(training=True),
        progress=progress,
    )


def copy_out(source: Path, target: Path) -> Path:
    """One of the board's files, saved where the instructor chose."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target

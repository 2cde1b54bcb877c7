"""Sealing a clean-environment check into a case's ledger as an ``env.check`` entry.

``env.check`` is a seal point: the entry is queued for an RFC 3161 token in the same
transaction. The "after" check names the "before" check it was compared with
(``compared_with``: its seq) and lists every change, so the comparison can be repeated
from the ledger alone.
"""

from __future__ import annotations

from typing import Any, Final

from forensics.case import Case
from forensics.entry_data import EnvCheckData
from forensics.environment.compare import compare
from forensics.environment.snapshot import EnvSnapshot
from forensics.errors import InputError
from forensics.identity import Signer
from forensics.ledger import Record, parse_record

PHASES: Final = ("before", "after")


def find_before(case: Case, session: str | None) -> Record | None:
    """The latest "before" check of ``session``; failing that, the latest one sealed
    outside any session (a check made before the session was started)."""
    fallback = None
    for _, _, text in reversed(case.store.ledger_rows()):
        if '"kind":"env.check"' not in text:  # canonical JSON: a cheap pre-filter
            continue
        rec = parse_record(text)
        if rec.kind != "env.check":
            continue
        check = EnvCheckData.from_json(rec.data)
        if check.phase != "before" or not isinstance(rec.data.get("snapshot"), dict):
            continue
        if rec.session == session:
            return rec
        if fallback is None and rec.session is None:
            fallback = rec
    return fallback


def seal_snapshot(
    case: Case, signer: Signer, snap: EnvSnapshot, *, phase: str, session: str | None = None
) -> Record:
    """Append the check to the ledger. An "after" check is compared with the session's
    "before" check; when there is none, the entry says so in its warnings."""
    if phase not in PHASES:
        raise InputError(
            f"the phase of an environment check is 'before' or 'after', not {phase!r}",
            f"清洁性检查的阶段应为 before 或 after，而不是 {phase!r}",
        )
    case.require_member(signer)
    snap_json = snap.to_json()
    warnings: list[dict[str, Any]] = list(snap_json["warnings"])
    if phase == "before":
        data = EnvCheckData(phase, snap_json, tuple(warnings))
        return case.ledger.append(signer, "env.check", data.to_json(), session=session)
    before = find_before(case, session)
    if before is None:
        warnings.append(
            {
                "section": "compare",
                "code": "no-before-check",
                "en": "no check before capture was found: nothing to compare with",
                "zh": "未找到取证前的清洁性检查，无法比对",
            }
        )
        data = EnvCheckData(phase, snap_json, tuple(warnings), None, ())
    else:
        changes = compare(EnvCheckData.from_json(before.data).snapshot, snap_json)
        data = EnvCheckData(
            phase, snap_json, tuple(warnings), before.seq, tuple(c.to_json() for c in changes)
        )
    return case.ledger.append(signer, "env.check", data.to_json(), session=session)

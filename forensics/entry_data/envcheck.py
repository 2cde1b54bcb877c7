"""The data of an ``env.check`` entry: a clean-environment check sealed before or after a
capture session (``forensics.environment.seal``). The snapshot (one section per checked
aspect: status, summary, reasons, facts) is kept as recorded; an "after" check names the
"before" check it was compared with and lists every change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forensics.entry_data.fields import integer, obj, plain, text


def _objects(value: object) -> tuple[dict[str, Any], ...]:
    return tuple(plain(v) for v in (value if isinstance(value, list) else ()) if obj(v))


@dataclass(frozen=True)
class EnvCheckData:
    phase: str  # "before" or "after"
    snapshot: dict[str, Any] = field(default_factory=dict)  # EnvSnapshot.to_json, as recorded
    # What the officers are warned of: {"section", "en", "zh", …} each, as recorded.
    warnings: tuple[dict[str, Any], ...] = ()
    # An "after" check: the seq of the "before" check compared with (None when there was
    # none) and the changes ({"section", "en", "zh", "comparable", …}); both written only
    # for it, so ``changes`` is None for a "before" check.
    compared_with: int | None = None
    changes: tuple[dict[str, Any], ...] | None = None

    @property
    def clock(self) -> Mapping[str, Any]:
        """The snapshot's clock section (offset against the time servers), or empty."""
        return obj(self.snapshot.get("clock"))

    def section(self, name: str) -> Mapping[str, Any]:
        """One checked section of the snapshot, or empty."""
        return obj(self.snapshot.get(name))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "phase": self.phase,
            "snapshot": dict(self.snapshot),
            "warnings": [dict(w) for w in self.warnings],
        }
        if self.changes is not None:
            out["compared_with"] = self.compared_with
            out["changes"] = [dict(c) for c in self.changes]
        return out

    @classmethod
    def from_json(cls, raw: object) -> EnvCheckData:
        d = obj(raw)
        return cls(
            phase=text(d.get("phase")),
            snapshot=plain(d.get("snapshot")),
            warnings=_objects(d.get("warnings")),
            compared_with=integer(d.get("compared_with")),
            changes=_objects(d.get("changes")) if isinstance(d.get("changes"), list) else None,
        )

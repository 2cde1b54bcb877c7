"""The data of ``capture.recovered``: a file an interrupted capture left in the case's work
folder, sealed by the next session or officer action (``app.capture.leftovers``): which
file, what it is, in what state it was found and why it was not sealed in its run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from forensics.entry_data.fields import count, obj, text

TRAFFIC, VIDEO = "traffic", "video"
# The states a file is found in.
REPAIRED: Final = "repaired-open-segment"  # a WARC segment the dead proxy had open, repaired
CLOSED_UNSEALED: Final = "closed-unsealed"  # closed by its run, never sealed
DAMAGED: Final = "damaged"  # not a readable WARC segment, sealed as found
TORN: Final = "torn-open-segment"  # a screen recording segment cut at the crash
STATES: Final = (REPAIRED, CLOSED_UNSEALED, DAMAGED, TORN)


@dataclass(frozen=True)
class RecoveredData:
    """``file`` and ``size`` as found; ``kind`` (``traffic`` or ``video``); ``state`` (one of
    ``STATES``); ``reason`` in English, as the leftovers' sealer words it."""

    file: str
    size: int
    kind: str
    state: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "size": self.size,
            "kind": self.kind,
            "state": self.state,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, raw: object) -> RecoveredData:
        d = obj(raw)
        return cls(
            file=text(d.get("file")),
            size=count(d.get("size")),
            kind=text(d.get("kind")),
            state=text(d.get("state")),
            reason=text(d.get("reason")),
        )

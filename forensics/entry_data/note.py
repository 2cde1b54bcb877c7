"""The data of ``note`` entries. An officer's own note holds its ``text`` alone; a note that
capture or export seals for an event names it in ``event`` and keeps its ``text`` in both
languages for whoever reads the bare ledger:

- ``account``: the account the capture browser is logged in with, as the officer declared
  it (``AccountNote``; the pages captured after it name it too);
- ``media-unplayable``: media the capture browser cannot play (``MediaNote``);
- ``recording.pause`` and ``recording.resume`` (``recording.RecordingNote``);
- ``package.export-failed`` (``custody.ExportFailedData``).

``read_note`` gives the type a note's ``event`` names; a note of an event not typed here
reads as an officer's note (its text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forensics.entry_data.custody import ExportFailedData
from forensics.entry_data.fields import obj, plain, text
from forensics.entry_data.recording import RecordingNote

ACCOUNT = "account"
MEDIA_UNPLAYABLE = "media-unplayable"


@dataclass(frozen=True)
class NoteData:
    """An officer's note (``quzheng note``, the case view, the workspace)."""

    text: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}

    @classmethod
    def from_json(cls, raw: object) -> NoteData:
        return cls(text=text(obj(raw).get("text")))


@dataclass(frozen=True)
class AccountNote:
    """``event: account``: the account the capture browser is logged in with, or None when
    the officer said none is used (``app.capture.session.CaptureSession``)."""

    account: str | None
    text: str
    event: str = ACCOUNT

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "event": self.event, "account": self.account}

    @classmethod
    def from_json(cls, raw: object) -> AccountNote | None:
        """The declaration's data; None when ``raw`` is not an account note."""
        d = obj(raw)
        if d.get("event") != ACCOUNT:
            return None
        return cls(account=text(d.get("account")) or None, text=text(d.get("text")))


@dataclass(frozen=True)
class MediaNote:
    """``event: media-unplayable``: the capture browser met media it cannot play (#17);
    ``media`` is the finding as ``app.capture.chromium.media_watch`` made it (player and
    page URLs, codecs, the error, ``drm``, ``en`` and ``zh``), kept as recorded."""

    text: str
    media: dict[str, Any] = field(default_factory=dict)
    event: str = MEDIA_UNPLAYABLE

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "event": self.event, "media": dict(self.media)}

    @classmethod
    def from_json(cls, raw: object) -> MediaNote | None:
        """The finding's data; None when ``raw`` is not a media note."""
        d = obj(raw)
        if d.get("event") != MEDIA_UNPLAYABLE:
            return None
        return cls(text=text(d.get("text")), media=plain(d.get("media")))


type Note = NoteData | AccountNote | MediaNote | RecordingNote | ExportFailedData


def read_note(raw: object) -> Note:
    """A note's data as the type its ``event`` names (an officer's note when none does)."""
    return (
        ExportFailedData.from_json(raw)
        or RecordingNote.from_json(raw)
        or AccountNote.from_json(raw)
        or MediaNote.from_json(raw)
        or NoteData.from_json(raw)
    )

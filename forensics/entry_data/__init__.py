"""One typed definition of each ledger entry kind's ``data`` (docs/package-format.md §1.1).

Producers build the data with these types and seal ``to_json()``; readers (the report, the
verifier, training, the windows) read ``from_json()``, which never raises: a value of the
wrong type reads as absent (``forensics.entry_data.fields``), as hostile ledgers must be
read. A field renamed here changes producer and reader together (mypy checks both);
tests/forensics/package/test_entry_data.py seals each kind through its producer and reads
it back.

``read(kind, data)`` gives the reader type of a kind, or None for a kind not typed here
(its data is read as a mapping).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from forensics.entry_data.capture import PAGE_KINDS, PageData, SensitiveUse, TrafficData
from forensics.entry_data.case import CaseOpenData, OfficerData
from forensics.entry_data.custody import (
    AccessData,
    ExportData,
    ExportFailedData,
    ReceiveData,
    ReportData,
    TransferData,
    VerifyData,
)
from forensics.entry_data.deposit import DepositData
from forensics.entry_data.derive import Derived, HarData, Parent, TranscriptData, TranscriptLine
from forensics.entry_data.envcheck import EnvCheckData
from forensics.entry_data.imports import ImportData
from forensics.entry_data.note import AccountNote, MediaNote, Note, NoteData, read_note
from forensics.entry_data.recording import MarkData, RecordingNote, VideoData
from forensics.entry_data.recovered import RecoveredData
from forensics.entry_data.session import SessionEndData, SessionStartData
from forensics.entry_data.stamp import TimestampData
from forensics.entry_data.stream import (
    ChatData,
    ChatMessageData,
    RecordingOverlap,
    StreamData,
    StreamPeriod,
    StreamSource,
)
from forensics.entry_data.tool import ToolData

__all__ = [
    "PAGE_KINDS",
    "READERS",
    "AccessData",
    "AccountNote",
    "CaseOpenData",
    "ChatData",
    "ChatMessageData",
    "DepositData",
    "Derived",
    "EnvCheckData",
    "ExportData",
    "ExportFailedData",
    "HarData",
    "ImportData",
    "MarkData",
    "MediaNote",
    "Note",
    "NoteData",
    "OfficerData",
    "PageData",
    "Parent",
    "ReceiveData",
    "RecordingNote",
    "RecordingOverlap",
    "RecoveredData",
    "ReportData",
    "SensitiveUse",
    "SessionEndData",
    "SessionStartData",
    "StreamData",
    "StreamPeriod",
    "StreamSource",
    "TimestampData",
    "ToolData",
    "TrafficData",
    "TranscriptData",
    "TranscriptLine",
    "TransferData",
    "VerifyData",
    "VideoData",
    "read",
    "read_note",
]

READERS: Mapping[str, Callable[[object], object]] = {
    "case.open": CaseOpenData.from_json,
    "officer.add": OfficerData.from_json,
    "timestamp": TimestampData.from_json,
    "env.check": EnvCheckData.from_json,
    "capture.stream": StreamData.from_json,
    "capture.chat": ChatData.from_json,
    **dict.fromkeys(PAGE_KINDS, PageData.from_json),
    "capture.traffic": TrafficData.from_json,
    "capture.recovered": RecoveredData.from_json,
    "session.start": SessionStartData.from_json,
    "session.end": SessionEndData.from_json,
    "capture.video": VideoData.from_json,
    "mark": MarkData.from_json,
    "note": read_note,
    "import.file": ImportData.from_json,
    "derive": Derived.from_json,
    "package.export": ExportData.from_json,
    "custody.transfer": TransferData.from_json,
    "custody.receive": ReceiveData.from_json,
    "verify": VerifyData.from_json,
    "custody.report": ReportData.from_json,
    "custody.access": AccessData.from_json,
    "custody.deposit": DepositData.from_json,
}


def read(kind: str, data: Mapping[str, Any]) -> object | None:
    """The typed data of an entry of ``kind``; None when the kind has no type here."""
    reader = READERS.get(kind)
    return reader(data) if reader is not None else None

"""A live room's chat, read from the WebSocket messages the proxy sealed, as a list people
can read: ``{time, user, text, kind}`` per message, written as JSON and CSV.

The proxy writes every WebSocket message as a WARC ``resource`` record
(``Quzheng-Message-Protocol: websocket``, ``Quzheng-Message-Direction``, ``WARC-Date`` when
it passed the proxy). Each platform frames its chat its own way, so parsing is one
``ChatParser`` per platform, chosen by the socket's URL (``PARSERS``; the practice range's
JSON is implemented). A parser turns one server-to-client text message into zero or more
messages; what it does not understand is counted (``ignored``), never guessed.

Kinds: ``comment`` (viewers' and the room staff's messages), ``gift``, ``order`` (purchase
notices: "已下单", "拍了" …), ``enter`` (a viewer entered). ``platform_kind`` keeps the
platform's own word for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final, Protocol
from urllib.parse import urlsplit

from forensics.errors import InputError

CHAT_KINDS: Final = ("comment", "gift", "order", "enter")
CSV_FIELDS: Final = ("time", "stream_ms", "kind", "user", "text", "platform_kind", "record_id")
MAX_TEXT: Final = 2000
_MAX_MESSAGE: Final = 1 << 20
# Purchase notices as viewers and rooms write them.
ORDER_WORDS: Final = ("已下单", "下单了", "拍了", "已拍", "已购", "买了")


@dataclass(frozen=True)
class Said:
    """What a parser reads from one message."""

    user: str
    text: str
    kind: str
    platform_kind: str
    stream_ms: int | None = None


@dataclass(frozen=True)
class ChatMessage:
    time: str  # when the message passed the recording proxy (WARC-Date, UTC)
    user: str
    text: str
    kind: str
    platform_kind: str
    stream_ms: int | None
    record_id: str

    def record(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "stream_ms": self.stream_ms,
            "kind": self.kind,
            "user": self.user,
            "text": self.text,
            "platform_kind": self.platform_kind,
            "record_id": self.record_id,
        }


class ChatParser(Protocol):
    name: str

    def matches(self, url: str) -> bool: ...

    def parse(self, text: str) -> list[Said] | None:
        """The messages in one server-to-client text; None when it is not chat at all."""
        ...


class RangeChat:
    """The practice range's live room: JSON ``{"type": "chat", "seq", "t_ms", "kind",
    "user", "text"}``; hello/pong frames are not chat."""

    name = "practice-range"
    host = "live.range.test"  # forensics.range.content.LIVE_HOST (not imported: heavy)
    _KINDS: Final = {"chat": "comment", "assistant": "comment", "gift": "gift", "enter": "enter"}

    def matches(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() == self.host and parts.path == "/ws/chat"

    def parse(self, text: str) -> list[Said] | None:
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if not isinstance(value, dict) or value.get("type") != "chat":
            return None
        user, said, raw = value.get("user"), value.get("text"), value.get("kind")
        if not (isinstance(user, str) and isinstance(said, str) and isinstance(raw, str)):
            return None
        t_ms = value.get("t_ms")
        stream_ms = t_ms if isinstance(t_ms, int) and not isinstance(t_ms, bool) else None
        kind = self._KINDS.get(raw, "comment")
        if kind == "comment" and any(word in said for word in ORDER_WORDS):
            kind = "order"
        return [Said(user[:MAX_TEXT], said[:MAX_TEXT], kind, raw[:64], stream_ms)]


PARSERS: Final[tuple[ChatParser, ...]] = (RangeChat(),)


@dataclass
class ChatRead:
    """The chat of one WARC segment."""

    messages: list[ChatMessage]
    sockets: list[str]  # URLs of the chat sockets seen
    parser: str
    records: int  # message records read
    ignored: int  # server messages that were not chat (hello, pong, unknown frames)


def read_chat(warc: BinaryIO, name: str, parsers: Sequence[ChatParser] = PARSERS) -> ChatRead:
    """Every chat message in the WARC segment ``warc`` (called ``name``), in record order."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    out = ChatRead([], [], "", 0, 0)
    used: list[str] = []
    try:
        for record in ArchiveIterator(warc):
            h = record.rec_headers
            if record.rec_type != "resource":
                continue
            if h.get_header("Quzheng-Message-Protocol") != "websocket":
                continue
            if h.get_header("Quzheng-Message-Direction") != "server-to-client":
                continue
            url = h.get_header("WARC-Target-URI") or ""
            parser = next((p for p in parsers if p.matches(url)), None)
            if parser is None:
                continue
            if (h.get_header("Content-Type") or "").split(";")[0].strip() != "text/plain":
                continue
            out.records += 1
            raw = record.content_stream().read(_MAX_MESSAGE)
            said = parser.parse(raw.decode("utf-8", errors="replace"))
            if said is None:
                out.ignored += 1
                continue
            if url not in out.sockets:
                out.sockets.append(url)
            if parser.name not in used:
                used.append(parser.name)
            date = h.get_header("WARC-Date") or ""
            record_id = h.get_header("WARC-Record-ID") or ""
            out.messages += [
                ChatMessage(date, s.user, s.text, s.kind, s.platform_kind, s.stream_ms, record_id)
                for s in said
            ]
    except ArchiveLoadFailed as exc:
        raise InputError(
            f"{name}: not a readable WARC ({exc})", f"{name}：不是可读取的 WARC 文件（{exc}）"
        ) from None
    out.parser = ", ".join(used)
    return out


def chat_json(messages: Iterable[ChatMessage]) -> bytes:
    rows = [m.record() for m in messages]
    return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def chat_csv(messages: Iterable[ChatMessage]) -> bytes:
    """CSV for spreadsheets: UTF-8 with a byte-order mark (Excel on Chinese Windows reads it
    as UTF-8 only then); a cell that a spreadsheet would run as a formula is quoted with '."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for m in messages:
        row = m.record()
        writer.writerow([_cell(row[k]) for k in CSV_FIELDS])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def chat_counts(messages: Iterable[ChatMessage]) -> dict[str, int]:
    """How many messages of each kind (every known kind named, 0 when none)."""
    counts = {kind: 0 for kind in CHAT_KINDS}
    for m in messages:
        counts[m.kind] = counts.get(m.kind, 0) + 1
    return counts


def chat_summary(read: ChatRead) -> dict[str, Any]:
    """The ledger data's account of the messages: count per kind, first and last."""
    msgs = read.messages
    return {
        "count": len(msgs),
        "by_kind": chat_counts(msgs),
        "first": msgs[0].record() if msgs else None,
        "last": msgs[-1].record() if msgs else None,
        "sockets": read.sockets,
        "parser": read.parser,
        "message_records": read.records,
        "not_chat": read.ignored,
    }

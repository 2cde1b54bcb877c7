"""The requests of a sealed WARC segment, for the traffic viewer.

Read with ``forensics.capture.warc_to_har`` (warcio, one record at a time, every record's
digest checked as it passes, bodies decoded and bounded): the viewer never holds a whole
segment in memory, and a segment that fails its digests raises ``IntegrityError`` instead
of being shown as if it were intact.
"""

from __future__ import annotations

import base64
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from forensics.capture.har import warc_to_har
from forensics.errors import InputError

PREVIEW_BYTES: Final = 16 * 1024
MAX_EXCHANGES: Final = 5_000


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    status: int
    mime: str
    size: int  # body bytes as received
    server_ip: str
    started: str
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    preview: str  # text, or a hex dump of the first bytes
    preview_note: str  # why the preview is cut or absent
    sensitive: tuple[str, ...]  # the officer's own cookies / authorization headers


def _headers(items: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple((str(h.get("name", "")), str(h.get("value", ""))) for h in items)


def hex_dump(data: bytes, width: int = 16) -> str:
    lines = []
    for off in range(0, len(data), width):
        chunk = data[off : off + width]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{off:08x}  {chunk.hex(' '):<{width * 3}} {text}")
    return "\n".join(lines)


def _preview(content: dict[str, Any], limit: int) -> tuple[str, str]:
    text = content.get("text")
    note = str(content.get("comment", ""))
    if not isinstance(text, str):
        return "", note
    if content.get("encoding") == "base64":
        try:
            raw = base64.b64decode(text)
        except ValueError:
            return "", note
        return hex_dump(raw[:512]), note
    if len(text) > limit:
        return text[:limit], note or f"first {limit} characters shown"
    return text, note


def _exchange(entry: dict[str, Any], limit: int) -> Exchange:
    req = entry.get("request") or {}
    resp = entry.get("response") or {}
    content = resp.get("content") or {}
    preview, note = _preview(content, limit)
    quz = entry.get("_quzheng") or {}
    return Exchange(
        method=str(req.get("method", "")),
        url=str(req.get("url", "")),
        status=int(resp.get("status") or 0),
        mime=str(content.get("mimeType", "")),
        size=max(0, int(resp.get("bodySize") or 0)),
        server_ip=str(entry.get("serverIPAddress", "")),
        started=str(entry.get("startedDateTime", "")),
        request_headers=_headers(req.get("headers")),
        response_headers=_headers(resp.get("headers")),
        preview=preview,
        preview_note=note,
        sensitive=tuple(str(s) for s in quz.get("sensitive") or ()),
    )


def read_exchanges(
    warc: Path, *, preview_bytes: int = PREVIEW_BYTES, limit: int = MAX_EXCHANGES
) -> list[Exchange]:
    """Request/response pairs of one WARC file, in the order their responses arrived."""
    with tempfile.TemporaryDirectory(prefix="quzheng-traffic-") as tmp:
        har = Path(tmp) / "view.har"
        warc_to_har([warc], har, max_body_bytes=preview_bytes)
        try:
            with har.open(encoding="utf-8") as f:
                entries = json.load(f)["log"]["entries"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"the traffic could not be read: {exc}", f"无法读取网络流量：{exc}"
            ) from None
    return [_exchange(e, preview_bytes) for e in entries[:limit] if isinstance(e, dict)]

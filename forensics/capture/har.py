"""HAR 1.2 export derived from WARC segments (a convenience view; the WARC is the evidence).

Decisions:

- Streaming: records are read one at a time from the WARC streams and entries written to
  the output text stream as soon as their response arrives; only requests still waiting
  for their response, and WebSockets still open, are held, with bodies bounded. Every
  record is read to its end, so warcio verifies its digests on the way: a failed digest
  raises ``IntegrityError`` rather than exporting altered evidence. Memory therefore does
  not grow with the size of the WARC or of any body in it.
- Bodies: decoded (chunked and content-encoding gzip/deflate/br removed, as HAR asks for
  ``content.text``) and embedded only up to ``max_body_bytes`` (default 1 MiB, decoded
  bytes). Text types that decode as UTF-8 (or their declared charset) go in as text,
  anything else as base64 (``encoding: "base64"``). A larger body (or one that does not
  decode) is left out with a ``comment`` naming the WARC record that holds it in full;
  ``content.size`` still gives its size.
- Sensitive data (§A11): entries that carry the officer's own ``Cookie``,
  ``Authorization``, ``Proxy-Authorization`` or ``Set-Cookie`` list them in
  ``_quzheng.sensitive``; ``log._quzheng.sensitive_entries`` counts them. Nothing is removed:
  the HAR mirrors the evidence, and the flag tells the report what to warn about.
- Requests without a recorded response (transport errors, capture stopped) are exported
  with ``status: 0``, as browsers do for failed requests. A response whose request is in a
  segment not given is left out.
- WebSocket messages go in the handshake entry's ``_webSocketMessages`` (Chrome's
  extension: ``type`` send/receive, ``time`` in epoch seconds, ``opcode`` 1 text / 2
  binary, ``data`` text or base64). The handshake entry is written when the socket's
  ``websocket-end`` metadata record passes, or at the end of the input. Held messages are
  bounded over all open sockets: each message's data is embedded up to ``max_body_bytes``
  and while less than ``WS_MAX_HELD_BYTES`` are held (else listed without data), and at
  most ``WS_MAX_LISTED`` messages are held (else only counted); the entry's
  ``_quzheng.websocket`` and ``log._quzheng`` count what was left out. Messages whose
  handshake is in another segment get an entry of their own (``GET``, ``101``, no
  headers, a ``comment`` naming the handshake record).
- Raw TCP streams and other metadata records are not part of HAR and are not exported.
- A response committed in parts (WARC 1.1 record segmentation, a live stream sealed while it
  ran) is exported as its first part, with a ``comment`` saying so; its ``continuation``
  records are read (digests checked) but are not entries.
- The output is a function of the WARC bytes, ``max_body_bytes`` and this program's
  version alone (no clock, no randomness): anyone can derive it again and compare.
"""

from __future__ import annotations

import base64
import codecs
import datetime
import json
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, TextIO

import forensics
from forensics.atomic import atomic_path
from forensics.capture.warc import SENSITIVE_REQUEST_HEADERS, SENSITIVE_RESPONSE_HEADERS
from forensics.errors import InputError, IntegrityError

DEFAULT_MAX_BODY: Final = 1 << 20
# WebSocket messages held over every open socket (see the module's decisions).
WS_MAX_HELD_BYTES: Final = 16 << 20
WS_MAX_LISTED: Final = 50_000
_READ: Final = 64 * 1024
_TEXT_TYPES: Final = (
    "text/",
    "application/json",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "application/xml",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/x-www-form-urlencoded",
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "application/dash+xml",
    "image/svg+xml",
)
_PROTOCOL_VERSIONS: Final = {"h2": "HTTP/2.0", "h3": "HTTP/3", "http/1.0": "HTTP/1.0"}


@dataclass
class _Body:
    data: bytes = b""
    raw_size: int = 0
    decoded_size: int = 0
    complete: bool = True


@dataclass
class _Message:
    record_id: str
    date: str
    uri: str
    file: str
    protocols: list[str]
    ip: str | None
    cipher: str | None
    truncated: str | None
    first_line: str
    headers: list[tuple[str, str]]
    headers_size: int
    body: _Body
    concurrent: list[str] = field(default_factory=list)


def _parse_date(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _read_body(record: Any, limit: int) -> _Body:
    """Decoded body up to ``limit`` bytes; reads the rest raw so digests get checked."""
    body = _Body()
    chunks: list[bytes] = []
    kept = 0
    stream = record.content_stream()
    try:
        while True:
            data = stream.read(_READ)
            if not data:
                break
            body.decoded_size += len(data)
            if kept <= limit:
                chunks.append(data)
                kept += len(data)
            if kept > limit:
                body.complete = False
                break
    except Exception:  # a body that does not decode is left out, with a comment
        body.complete = False
    # Drain what decoding did not consume: warcio checks the digests at the end.
    while record.raw_stream.read(_READ):
        pass
    body.data = b"".join(chunks)[:limit] if body.complete else b""
    return body


def _message(record: Any, file: str, limit: int) -> _Message:
    h = record.rec_headers
    http = record.http_headers
    headers: list[tuple[str, str]] = list(http.headers) if http else []
    # warcio splits "GET /p HTTP/1.1" as protocol="GET", statusline="/p HTTP/1.1", and
    # "HTTP/1.1 200 OK" as protocol="HTTP/1.1", statusline="200 OK": joined, both are whole.
    first_line = http.protocol + " " + http.statusline if http else ""
    headers_size = len(first_line) + 2 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
    body = _read_body(record, limit)
    if http is not None and isinstance(record.length, int):
        body.raw_size = max(0, record.length - http.total_len)
    checker = record.digest_checker
    if checker is not None and checker.passed is False:
        raise IntegrityError(
            f"{file}: record {h.get_header('WARC-Record-ID')} fails its digest check: "
            + "; ".join(checker.problems),
            f"{file}：记录 {h.get_header('WARC-Record-ID')} 的摘要校验失败。",
        )
    return _Message(
        record_id=h.get_header("WARC-Record-ID") or "",
        date=h.get_header("WARC-Date") or "",
        uri=h.get_header("WARC-Target-URI") or "",
        file=file,
        protocols=[v for k, v in h.headers if k.lower() == "warc-protocol"],
        ip=h.get_header("WARC-IP-Address"),
        cipher=h.get_header("WARC-Cipher-Suite"),
        truncated=h.get_header("WARC-Truncated")
        or (
            # The first part of a segmented record (a response still arriving when its
            # segment closed): the rest is in continuation records of later segments.
            "segmented: first part only; continued in later segments"
            if h.get_header("WARC-Segment-Number") == "1"
            else None
        ),
        first_line=first_line,
        headers=headers,
        headers_size=headers_size,
        body=body,
        concurrent=[v for k, v in h.headers if k.lower() == "warc-concurrent-to"],
    )


def _nv(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in pairs]


def _header(msg: _Message, name: str) -> str | None:
    for k, v in msg.headers:
        if k.lower() == name:
            return v
    return None


def _http_version(msg: _Message, fallback: str) -> str:
    for proto in msg.protocols:
        if proto in _PROTOCOL_VERSIONS:
            return _PROTOCOL_VERSIONS[proto]
    return fallback


def _charset(mime: str) -> str:
    for part in mime.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip("\"'")).name
            except LookupError:
                break
    return "utf-8"


def _content(msg: _Message, mime: str, limit: int) -> dict[str, object]:
    body = msg.body
    size = body.decoded_size if body.complete else body.raw_size  # partial decode: raw size
    out: dict[str, object] = {"size": size, "mimeType": mime}
    if not body.complete:
        out["comment"] = (
            f"body not embedded (more than {limit} bytes or not decodable); "
            f"see WARC record {msg.record_id} in {msg.file}"
        )
        return out
    if not body.data:
        return out
    if mime.split(";")[0].strip().lower().startswith(_TEXT_TYPES):
        try:
            out["text"] = body.data.decode(_charset(mime))
            return out
        except (UnicodeDecodeError, LookupError):
            pass
    out["text"] = base64.b64encode(body.data).decode("ascii")
    out["encoding"] = "base64"
    return out


def _request_cookies(msg: _Message) -> list[dict[str, str]]:
    out = []
    for k, v in msg.headers:
        if k.lower() != "cookie":
            continue
        for part in v.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                out.append({"name": name, "value": value})
    return out


def _response_cookies(msg: _Message) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for k, v in msg.headers:
        if k.lower() != "set-cookie":
            continue
        parts = v.split(";")
        name, _, value = parts[0].strip().partition("=")
        cookie: dict[str, object] = {"name": name, "value": value}
        for attr in parts[1:]:
            key, _, val = attr.strip().partition("=")
            key = key.lower()
            if key in ("path", "domain", "expires", "samesite"):
                cookie["sameSite" if key == "samesite" else key] = val
            elif key == "httponly":
                cookie["httpOnly"] = True
            elif key == "secure":
                cookie["secure"] = True
        out.append(cookie)
    return out


def _entry(req: _Message, resp: _Message | None, limit: int) -> dict[str, object]:
    method, _, rest = req.first_line.partition(" ")
    req_version = rest.rpartition(" ")[2] or "HTTP/1.1"
    url = req.uri
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    request: dict[str, object] = {
        "method": method,
        "url": url,
        "httpVersion": _http_version(req, req_version),
        "cookies": _request_cookies(req),
        "headers": _nv(req.headers),
        "queryString": _nv(query),
        "headersSize": req.headers_size,
        "bodySize": req.body.raw_size,
    }
    if req.body.raw_size or req.body.decoded_size:
        mime = _header(req, "content-type") or "application/octet-stream"
        content = _content(req, mime, limit)
        post: dict[str, object] = {"mimeType": mime, "text": content.get("text", "")}
        if "encoding" in content:
            post["comment"] = "base64-encoded body"
        if "comment" in content:
            post["comment"] = content["comment"]
        request["postData"] = post
    sensitive = [n for n in SENSITIVE_REQUEST_HEADERS if _header(req, n) is not None]
    started = _parse_date(req.date)
    entry: dict[str, object] = {
        "startedDateTime": req.date,
        "request": request,
        "cache": {},
    }
    warc: dict[str, object] = {"file": req.file, "request_record": req.record_id}
    if resp is None:
        entry["time"] = 0
        entry["response"] = {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "comment": "no response was recorded",
        }
        entry["timings"] = {"send": 0, "wait": 0, "receive": 0}
    else:
        version, _, status_rest = resp.first_line.partition(" ")
        status, _, reason = status_rest.partition(" ")
        elapsed = max(0.0, (_parse_date(resp.date) - started).total_seconds() * 1000)
        mime = _header(resp, "content-type") or "x-unknown"
        response: dict[str, object] = {
            "status": int(status) if status.isdigit() else 0,
            "statusText": reason,
            "httpVersion": _http_version(resp, version),
            "cookies": _response_cookies(resp),
            "headers": _nv(resp.headers),
            "content": _content(resp, mime, limit),
            "redirectURL": _header(resp, "location") or "",
            "headersSize": resp.headers_size,
            "bodySize": resp.body.raw_size,
        }
        if resp.truncated:
            response["comment"] = f"response truncated ({resp.truncated})"
        entry["time"] = round(elapsed, 3)
        entry["response"] = response
        entry["timings"] = {"send": 0, "wait": round(elapsed, 3), "receive": 0}
        sensitive += [n for n in SENSITIVE_RESPONSE_HEADERS if _header(resp, n) is not None]
        warc["response_record"] = resp.record_id
        warc["response_file"] = resp.file
        if resp.ip:
            entry["serverIPAddress"] = resp.ip
        warc["protocols"] = resp.protocols
        if resp.cipher:
            warc["cipher"] = resp.cipher
    if req.ip and "serverIPAddress" not in entry:
        entry["serverIPAddress"] = req.ip
    entry["_quzheng"] = {"warc": warc, "sensitive": sensitive}
    return entry


# -- WebSocket messages (Chrome's ``_webSocketMessages`` extension of HAR) ---------------


@dataclass
class _Socket:
    """A WebSocket whose entry waits for its messages (until its end record, or the end)."""

    entry: dict[str, object]
    messages: list[dict[str, object]] = field(default_factory=list)
    held: int = 0  # bytes of message data held for this socket
    not_embedded: int = 0  # messages listed without their data (too large, or over budget)
    not_listed: int = 0  # messages left out of the list (over the count budget)


def _ws_message(record: Any, file: str, limit: int) -> tuple[dict[str, object], int, bool]:
    """One message as Chrome lists it; its data bytes; whether the data is embedded."""
    h = record.rec_headers
    body = _read_body(record, limit)
    _raise_if_failed(record, file)
    text = (h.get_header("Content-Type") or "").lower().startswith("text/")
    direction = h.get_header("Quzheng-Message-Direction") or ""
    message: dict[str, object] = {
        "type": "send" if direction == "client-to-server" else "receive",
        "time": round(_parse_date(h.get_header("WARC-Date") or "").timestamp(), 6),
        "opcode": 1 if text else 2,
        "data": "",
    }
    if not body.complete:
        message["_quzheng"] = {
            "size": body.decoded_size,
            "comment": f"data not embedded (more than {limit} bytes, or over the HAR's budget "
            f"for held messages); see WARC record "
            f"{h.get_header('WARC-Record-ID')} in {file}",
        }
        return message, 0, False
    if text:
        try:
            message["data"] = body.data.decode("utf-8")
            return message, len(body.data), True
        except UnicodeDecodeError:
            message["opcode"] = 2
    message["data"] = base64.b64encode(body.data).decode("ascii")
    return message, len(body.data), True


def _orphan_socket(url: str, date: str, handshake: str, file: str) -> dict[str, object]:
    """The entry for messages whose handshake is in a segment not given (a live stream that
    outlasts a segment): a WebSocket opening handshake is a GET answered ``101``."""
    query = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    return {
        "startedDateTime": date,
        "time": 0,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "queryString": _nv(query),
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 101,
            "statusText": "Switching Protocols",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
            "comment": f"the handshake ({handshake or 'unknown record'}) is in another WARC "
            "segment; only this segment's messages are listed",
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_quzheng": {"warc": {"file": file, "response_record": handshake}, "sensitive": []},
    }


@dataclass(frozen=True)
class HarSummary:
    """What one conversion wrote."""

    entries: int
    sensitive_entries: int
    websocket_messages: int  # listed in ``_webSocketMessages``
    websocket_not_embedded: int  # listed without their data
    websocket_not_listed: int  # over the count budget: counted only


class _HarWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.sensitive = 0
        self.ws_messages = 0
        self.ws_not_embedded = 0
        self.ws_not_listed = 0

    def begin(self) -> None:
        creator = {"name": "Quzheng", "version": forensics.__version__}
        head = json.dumps({"version": "1.2", "creator": creator, "pages": []}, ensure_ascii=False)
        self.out.write('{"log": ' + head[:-1] + ', "entries": [\n')

    def entry(self, entry: dict[str, object]) -> None:
        quz = entry.get("_quzheng")
        if isinstance(quz, dict) and quz.get("sensitive"):
            self.sensitive += 1
        if self.count:
            self.out.write(",\n")
        self.out.write(json.dumps(entry, ensure_ascii=False))
        self.count += 1

    def socket(self, sock: _Socket) -> None:
        sock.entry["_webSocketMessages"] = sock.messages
        quz = sock.entry.setdefault("_quzheng", {})
        if isinstance(quz, dict) and (sock.not_embedded or sock.not_listed):
            quz["websocket"] = {
                "not_embedded": sock.not_embedded,
                "not_listed": sock.not_listed,
                "comment": "the WARC holds every message in full (resource records "
                "WARC-Concurrent-To the handshake response)",
            }
        self.ws_messages += len(sock.messages)
        self.ws_not_embedded += sock.not_embedded
        self.ws_not_listed += sock.not_listed
        self.entry(sock.entry)

    def end(self) -> HarSummary:
        tail = json.dumps(
            {
                "sensitive_entries": self.sensitive,
                "note": "Entries listed in _quzheng.sensitive carry the officer's own "
                "credentials (cookies or authorization headers).",
                "websocket_messages": self.ws_messages,
                "websocket_not_embedded": self.ws_not_embedded,
                "websocket_not_listed": self.ws_not_listed,
            },
            ensure_ascii=False,
        )
        self.out.write('\n], "_quzheng": ' + tail + "}}\n")
        return HarSummary(
            self.count,
            self.sensitive,
            self.ws_messages,
            self.ws_not_embedded,
            self.ws_not_listed,
        )


class _Converter:
    """Pairs requests with responses and sockets with their messages, record by record."""

    def __init__(self, writer: _HarWriter, limit: int) -> None:
        self.writer = writer
        self.limit = limit
        self.pending: dict[str, _Message] = {}  # requests waiting for their response
        self.sockets: dict[str, _Socket] = {}  # by the handshake response's record id
        self.held = 0  # message data bytes held over every open socket
        self.listed = 0  # messages held over every open socket

    def record(self, record: Any, file: str) -> None:
        rtype = record.rec_type
        h = record.rec_headers
        if rtype == "resource" and h.get_header("Quzheng-Message-Protocol") == "websocket":
            self._ws_message(record, file)
            return
        if rtype not in ("request", "response"):
            while record.raw_stream.read(_READ):  # digests checked too
                pass
            _raise_if_failed(record, file)
            if rtype == "metadata" and h.get_header("Quzheng-Metadata") == "websocket-end":
                for rid in (v for k, v in h.headers if k.lower() == "warc-concurrent-to"):
                    sock = self.sockets.pop(rid, None)
                    if sock is not None:
                        self._flush(sock)
            return
        msg = _message(record, file, self.limit)
        if rtype == "request":
            key = msg.concurrent[0] if msg.concurrent else msg.record_id
            self.pending[key] = msg
            return
        req = self.pending.pop(msg.record_id, None)
        if req is None:
            for rid in msg.concurrent:
                req = self.pending.pop(rid, None)
                if req is not None:
                    break
        if req is None:
            return  # a response whose request is in a segment not given
        entry = _entry(req, msg, self.limit)
        if msg.first_line.split(" ", 2)[1:2] == ["101"]:
            self.sockets[msg.record_id] = _Socket(entry)  # written when its messages end
            return
        self.writer.entry(entry)

    def _ws_message(self, record: Any, file: str) -> None:
        h = record.rec_headers
        handshake = next((v for k, v in h.headers if k.lower() == "warc-concurrent-to"), "")
        sock = self.sockets.get(handshake)
        if sock is None:
            date = h.get_header("WARC-Date") or ""
            url = h.get_header("WARC-Target-URI") or ""
            sock = _Socket(_orphan_socket(url, date, handshake, file))
            self.sockets[handshake] = sock
        if self.listed >= WS_MAX_LISTED:
            while record.raw_stream.read(_READ):
                pass
            _raise_if_failed(record, file)
            sock.not_listed += 1
            return
        room = max(0, min(self.limit, WS_MAX_HELD_BYTES - self.held))
        message, size, embedded = _ws_message(record, file, room)
        if not embedded:
            sock.not_embedded += 1
        sock.messages.append(message)
        sock.held += size
        self.held += size
        self.listed += 1

    def _flush(self, sock: _Socket) -> None:
        self.held -= sock.held
        self.listed -= len(sock.messages)
        self.writer.socket(sock)

    def finish(self) -> None:
        for req in self.pending.values():
            self.writer.entry(_entry(req, None, self.limit))
        self.pending.clear()
        for sock in list(self.sockets.values()):
            self._flush(sock)
        self.sockets.clear()


def write_har(
    sources: Iterable[tuple[str, BinaryIO]],
    out: TextIO,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY,
) -> HarSummary:
    """Stream the WARC records of ``sources`` (name, binary stream: read to its end, not
    closed) into ``out`` as one HAR 1.2 document; return what was written.

    Raises ``InputError`` for unreadable input and ``IntegrityError`` when a record fails
    its digest check; ``out`` is then incomplete and must be thrown away.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    writer = _HarWriter(out)
    convert = _Converter(writer, max_body_bytes)
    try:
        writer.begin()
        for name, stream in sources:
            for record in ArchiveIterator(stream, check_digests=True):
                convert.record(record, name)
        convert.finish()
        return writer.end()
    except (OSError, ArchiveLoadFailed, ValueError) as exc:
        raise InputError(
            f"The HAR file could not be made from the WARC segments: {exc}",
            f"无法从 WARC 分段生成 HAR 文件：{exc}",
        ) from exc


def warc_to_har(
    warc_paths: Sequence[Path], out: Path, *, max_body_bytes: int = DEFAULT_MAX_BODY
) -> HarSummary:
    """Write a HAR 1.2 file for every request/response pair in ``warc_paths``.

    Raises ``InputError`` for unreadable input and ``IntegrityError`` when a record fails
    its digest check. ``out`` appears only when complete (written beside, then renamed).
    """

    def sources() -> Iterator[tuple[str, BinaryIO]]:
        for path in warc_paths:
            with Path(path).open("rb") as stream:
                yield Path(path).name, stream

    try:
        with atomic_path(out) as partial, partial.open("w", encoding="utf-8") as fh:
            return write_har(sources(), fh, max_body_bytes=max_body_bytes)
    except OSError as exc:
        raise InputError(
            f"The HAR file could not be made from the WARC segments: {exc}",
            f"无法从 WARC 分段生成 HAR 文件：{exc}",
        ) from exc


def _raise_if_failed(record: Any, file: str) -> None:
    checker = record.digest_checker
    if checker is not None and checker.passed is False:
        raise IntegrityError(
            f"{file}: a {record.rec_type} record fails its digest check: "
            + "; ".join(checker.problems),
            f"{file}：一条 {record.rec_type} 记录的摘要校验失败。",
        )

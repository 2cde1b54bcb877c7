"""HAR 1.2 export derived from WARC segments (a convenience view; the WARC is the evidence).

Decisions:

- Streaming: records are read one at a time and entries written as soon as their response
  arrives; only requests still waiting for their response are held, with bodies bounded.
  Every record is read to its end, so warcio verifies its digests on the way: a failed
  digest raises ``IntegrityError`` rather than exporting altered evidence.
- Bodies: decoded (chunked and content-encoding gzip/deflate/br removed, as HAR asks for
  ``content.text``) and embedded only up to ``max_body_bytes`` (default 1 MiB). Text types
  that decode as UTF-8 (or their declared charset) go in as text, anything else as base64
  (``encoding: "base64"``). A larger body is left out with a ``comment`` naming the WARC
  record that holds it in full.
- Sensitive data (§A11): entries that carry the officer's own ``Cookie``,
  ``Authorization``, ``Proxy-Authorization`` or ``Set-Cookie`` list them in
  ``_quzheng.sensitive``; ``log._quzheng.sensitive_entries`` counts them. Nothing is removed:
  the HAR mirrors the evidence, and the flag tells the report what to warn about.
- Requests without a recorded response (transport errors, capture stopped) are exported
  with ``status: 0``, as browsers do for failed requests.
- WebSocket messages and metadata records are not part of HAR 1.2 and are not exported.
"""

from __future__ import annotations

import base64
import codecs
import datetime
import json
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

import forensics
from forensics.atomic import atomic_path
from forensics.capture.warc import SENSITIVE_REQUEST_HEADERS, SENSITIVE_RESPONSE_HEADERS
from forensics.errors import InputError, IntegrityError

DEFAULT_MAX_BODY: Final = 1 << 20
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
        truncated=h.get_header("WARC-Truncated"),
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


class _HarWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.sensitive = 0

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

    def end(self) -> None:
        tail = json.dumps(
            {
                "sensitive_entries": self.sensitive,
                "note": "Entries listed in _quzheng.sensitive carry the officer's own "
                "credentials (cookies or authorization headers).",
            },
            ensure_ascii=False,
        )
        self.out.write('\n], "_quzheng": ' + tail + "}}\n")


def warc_to_har(
    warc_paths: Sequence[Path], out: Path, *, max_body_bytes: int = DEFAULT_MAX_BODY
) -> None:
    """Write a HAR 1.2 file for every request/response pair in ``warc_paths``.

    Raises ``InputError`` for unreadable input and ``IntegrityError`` when a record fails
    its digest check. ``out`` appears only when complete (written beside, then renamed).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pending: dict[str, _Message] = {}
    try:
        with atomic_path(out) as partial, partial.open("w", encoding="utf-8") as fh:
            writer = _HarWriter(fh)
            writer.begin()
            for path in warc_paths:
                with Path(path).open("rb") as stream:
                    for record in ArchiveIterator(stream, check_digests=True):
                        if record.rec_type not in ("request", "response"):
                            while record.raw_stream.read(_READ):  # digests checked too
                                pass
                            _raise_if_failed(record, path.name)
                            continue
                        msg = _message(record, path.name, max_body_bytes)
                        if record.rec_type == "request":
                            key = msg.concurrent[0] if msg.concurrent else msg.record_id
                            pending[key] = msg
                            continue
                        req = pending.pop(msg.record_id, None)
                        if req is None:
                            for rid in msg.concurrent:
                                req = pending.pop(rid, None)
                                if req is not None:
                                    break
                        if req is None:
                            continue  # a response whose request is in a segment not given
                        writer.entry(_entry(req, msg, max_body_bytes))
            for req in pending.values():
                writer.entry(_entry(req, None, max_body_bytes))
            writer.end()
    except (OSError, ArchiveLoadFailed, ValueError) as exc:
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

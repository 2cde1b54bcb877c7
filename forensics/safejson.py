"""One bounded JSON loader for documents that come from outside (packages, seals, transfer
records, ledger lines): refuses them before parsing when they are too large, nested too
deep (``json`` recurses: deep nesting is a ``RecursionError``, not a ``ValueError``) or hold
too many values (a 64 MiB file of ``{},`` is 22 million objects: gigabytes of memory).

The pre-scan is linear and runs in C: escaped backslashes and quotes are dropped, the
strings (now plain runs between quotes) are cut out with one regular expression, and
the brackets and separators that remain are counted. Backslashes outside strings are not
JSON, so ``json`` refuses such a document afterwards anyway.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from forensics.errors import InputError

MAX_DEPTH = 64
MAX_BYTES = 64 << 20  # the package's bound on a control file (layout.MAX_CONTROL_BYTES)
# Values (containers and separators): a package of 200,000 files (layout.MAX_MEMBERS) needs
# about 1.2 million in datapackage.json (6 a file); each costs ~100 bytes once parsed.
MAX_VALUES = 1_250_000

_KEEP = bytes(range(256)).translate(None, b"[]{},")  # everything but these is deleted
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1, ord(","): 0}


_CHUNK = 1 << 20
_STRING = re.compile(rb'"[^"]*"?')  # once escaped quotes are gone: linear, no backtracking


def _marks(raw: bytes) -> bytes:
    """The brackets and commas outside strings, in order. Chunked, so the regular
    expression's list of pieces stays small (one piece per string of a 1 MiB chunk)."""
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    out: list[bytes] = []
    in_string = False
    for start in range(0, len(raw), _CHUNK):
        chunk = raw[start : start + _CHUNK]
        if in_string:  # a string that began in an earlier chunk
            end = chunk.find(b'"')
            if end < 0:
                continue
            chunk = chunk[end + 1 :]
        in_string = chunk.count(b'"') % 2 == 1
        out.append(_STRING.sub(b"", chunk).translate(None, _KEEP))
    return b"".join(out)


def _refuse(what: str, en: str, zh: str) -> InputError:
    return InputError(f"{what} {en}", f"{what} {zh}")


def loads(
    data: bytes | str,
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
) -> Any:
    """Parse ``data`` (UTF-8) as JSON within the bounds; ``what`` names the document in the
    InputError raised for anything that is not bounded, valid JSON."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise _refuse(
            what,
            f"is {len(raw)} bytes, over the {max_bytes}-byte bound",
            f"大小为 {len(raw)} 字节，超出 {max_bytes} 字节的上限",
        )
    marks = _marks(raw)
    values = marks.count(b"[") + marks.count(b"{") + marks.count(b",") + 1
    if values > max_values:
        raise _refuse(
            what,
            f"holds more than {max_values} JSON values (refused unparsed)",
            f"包含的 JSON 值超过 {max_values} 个（拒绝解析）",
        )
    depth = max(accumulate(_STEP[b] for b in marks), default=0)
    del marks
    if depth > max_depth:
        raise _refuse(
            what,
            f"is nested deeper than {max_depth} levels (refused unparsed)",
            f"嵌套超过 {max_depth} 层（拒绝解析）",
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = str(exc) if not isinstance(exc, RecursionError) else "nested too deep"
        raise _refuse(what, f"is not valid JSON ({reason[:200]})", "不是有效的 JSON") from None

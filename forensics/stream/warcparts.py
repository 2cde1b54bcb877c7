"""The stream responses of one WARC segment, as records or record parts, with their payload.

A response is in the WARC either as one complete ``response`` record, or (WARC/1.1 §10,
record segmentation, for an endless response written while it runs) as a first ``response``
record with ``WARC-Segment-Number: 1`` followed, in later traffic segments, by
``continuation`` records naming it in ``WARC-Segment-Origin-ID`` with increasing
``WARC-Segment-Number``; the last part carries ``WARC-Segment-Total-Length``. The payload is
the concatenation of the parts' payloads in number order: the first part's after its HTTP
header, each continuation's whole block.

``stream_parts`` yields every stream part of a segment in file order with a reader of its
payload (read it before asking for the next part). Which responses are streams: FLV
(``video/x-flv``, or a path ending ``.flv``) and MPEG-TS (``video/mp2t``, or ``.ts``) with a
2xx status; continuations are matched to their first part by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal
from urllib.parse import urlsplit

from forensics.errors import InputError

Container = Literal["flv", "mpegts"]

_FLV_TYPES: Final = ("video/x-flv", "video/flv", "application/x-flv")
_TS_TYPES: Final = ("video/mp2t", "video/mpegts", "video/mpeg-ts")


@dataclass(frozen=True)
class StreamPart:
    """One record (or record part) of a stream response in a WARC segment."""

    record_id: str
    origin_id: str  # the first part's record id (its own for a first or whole record)
    number: int | None  # WARC-Segment-Number; None for an unsegmented record
    uri: str
    date: str
    container: Container | None  # None for a continuation: its first part says
    last: bool  # an unsegmented record, or the part with WARC-Segment-Total-Length
    truncated: str | None

    def record(self) -> dict[str, object]:
        return {
            "record_id": self.record_id,
            "origin_id": self.origin_id,
            "segment_number": self.number,
            "date": self.date,
            "truncated": self.truncated,
        }


def container_of(uri: str, content_type: str) -> Container | None:
    media = content_type.split(";")[0].strip().lower()
    path = urlsplit(uri).path.lower()
    if media in _FLV_TYPES or path.endswith(".flv"):
        return "flv"
    if media in _TS_TYPES or path.endswith(".ts"):
        return "mpegts"
    return None


def stream_parts(warc: BinaryIO, name: str) -> Iterator[tuple[StreamPart, BinaryIO]]:
    """Every stream part in ``warc`` (a WARC segment called ``name``), in file order."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        for record in ArchiveIterator(warc, no_record_parse=False):
            h = record.rec_headers
            rtype = record.rec_type
            number_text = h.get_header("WARC-Segment-Number")
            try:
                number = int(number_text) if number_text else None
            except ValueError:
                number = None
            record_id = h.get_header("WARC-Record-ID") or ""
            uri = h.get_header("WARC-Target-URI") or ""
            date = h.get_header("WARC-Date") or ""
            truncated = h.get_header("WARC-Truncated")
            if rtype == "response":
                http = record.http_headers
                if http is None:
                    continue
                try:
                    status = int(http.get_statuscode())
                except (TypeError, ValueError):
                    continue
                container = container_of(uri, http.get_header("Content-Type") or "")
                if container is None or not 200 <= status < 300:
                    continue
                part = StreamPart(
                    record_id,
                    record_id,
                    number,
                    uri,
                    date,
                    container,
                    number is None or h.get_header("WARC-Segment-Total-Length") is not None,
                    truncated,
                )
            elif rtype == "continuation":
                origin = h.get_header("WARC-Segment-Origin-ID") or ""
                if not origin:
                    continue
                last = h.get_header("WARC-Segment-Total-Length") is not None
                part = StreamPart(record_id, origin, number, uri, date, None, last, truncated)
            else:
                continue
            yield part, record.raw_stream
    except ArchiveLoadFailed as exc:
        raise InputError(
            f"{name}: not a readable WARC ({exc})", f"{name}：不是可读取的 WARC 文件（{exc}）"
        ) from None

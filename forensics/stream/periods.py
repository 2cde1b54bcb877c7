"""One traffic segment (a period) of the stream as received: MP4 files and their records.

``StreamPeriods`` is fed the sealed traffic segments of a session in order. For each one it
reads the stream parts (``warcparts``), passes FLV payloads through each response's
``FlvSplitter`` (kept between periods while the response runs) into that period's
``FlvPeriod``, joins MPEG-TS segments per stream folder into a ``TsPeriod``, and copies each
into an MP4 (``remux_file``). Each MP4 comes back with the ``capture.stream`` data that
names its sources: the segment, the record ids, and the byte range of the response's
payload each part holds.

A tag cut by the end of a period is completed in the next one and belongs to it (the
``tail_bytes`` of a period say how much was carried). A period of a running FLV response
starts with the previous period's last picture group (``remux.Gop``), whose bytes are named
as a payload range of the same response (``carried_from_previous_period``).

When a continuation arrives whose response was not seen (the session restarted after a
crash), ``earlier`` is asked for the response's first part and earlier payload, which is
split again (not copied) to find the tag boundary, the sequence headers and the last
picture group.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final
from urllib.parse import urlsplit

import forensics
from forensics.entry_data.stream import StreamData, StreamSource
from forensics.errors import InputError
from forensics.stream.flvtags import FlvSplitter
from forensics.stream.remux import FlvPeriod, Gop, TsPeriod, remux_file
from forensics.stream.warcparts import StreamPart, stream_parts

logger = logging.getLogger(__name__)

STREAM_DERIVATION: Final = "stream remux (packet copy, no re-encode)"
_READ: Final = 1 << 20

# ``earlier(origin_id)``: the first part of that response and its payload up to this period,
# or None when it is not a stream this session can find.
Earlier = Callable[[str], tuple[StreamPart, Iterator[bytes]] | None]


@dataclass
class _Response:
    first: StreamPart
    splitter: FlvSplitter | None  # None for MPEG-TS
    offset: int = 0  # payload bytes before this period
    gop: Gop = field(default_factory=Gop)


@dataclass
class PeriodStream:
    """One MP4 of a period and the ``capture.stream`` data describing it (before its
    parent is named: ``forensics.stream.items.stream_data``)."""

    mp4: Path
    name: str
    facts: StreamData

    @property
    def data(self) -> dict[str, Any]:
        return self.facts.to_json()


@dataclass
class _Pending:
    first: StreamPart
    container: str
    src: Path
    writer: FlvPeriod | TsPeriod
    sources: list[StreamSource] = field(default_factory=list)
    tail_from_before: int = 0


class StreamPeriods:
    """The stream responses of one session, period by period (not thread-safe: one caller)."""

    def __init__(self, work_dir: Path, earlier: Earlier | None = None) -> None:
        self.work_dir = work_dir
        self.earlier = earlier
        self._open: dict[str, _Response] = {}
        self.errors: list[str] = []  # responses that could not be read, one line each

    def period(self, warc: BinaryIO, segment: str) -> list[PeriodStream]:
        """The MP4s of the stream data in the WARC segment ``segment`` (its file ``warc``).
        Temporary files are in ``work_dir``; the caller removes the MP4s once sealed."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        pending: dict[str, _Pending] = {}
        try:
            for part, payload in stream_parts(warc, segment):
                try:
                    self._part(part, payload, segment, pending)
                except InputError as exc:  # this response only: the others go on
                    self._open.pop(part.origin_id, None)
                    for key in [
                        k for k, p in pending.items() if p.first.origin_id == part.origin_id
                    ]:
                        broken = pending.pop(key)
                        broken.writer.close()
                        with contextlib.suppress(OSError):
                            broken.src.unlink()
                    self.errors.append(f"{segment}: {exc.message_en}")
            return self._finish(pending, segment)
        finally:
            for p in pending.values():
                p.writer.close()
                with contextlib.suppress(OSError):
                    p.src.unlink()

    # -- reading ----------------------------------------------------------------------------

    def _response(self, part: StreamPart) -> _Response | None:
        if part.container is not None:  # a whole record or a first part
            splitter = FlvSplitter() if part.container == "flv" else None
            response = _Response(part, splitter)
            if not part.last:
                self._open[part.origin_id] = response
            return response
        known = self._open.get(part.origin_id)
        if known is not None or self.earlier is None:
            return known
        found = self.earlier(part.origin_id)
        if found is None:
            return None
        first, payload = found
        if first.container is None:
            return None
        response = _Response(first, FlvSplitter() if first.container == "flv" else None)
        for chunk in payload:  # split again, not copied: boundaries and headers only
            if response.splitter is not None:
                for tag in response.splitter.feed(chunk):
                    response.gop.add(tag)
            response.offset += len(chunk)
        self._open[part.origin_id] = response
        return response

    def _part(
        self, part: StreamPart, payload: BinaryIO, segment: str, pending: dict[str, _Pending]
    ) -> None:
        response = self._response(part)
        if response is None:
            return
        if part.last:
            self._open.pop(part.origin_id, None)
        chunk = payload.read(_READ)
        if not chunk:  # an empty part (a series cut right after its last bytes): no source
            return
        first = response.first
        flv = response.splitter is not None
        key = ("flv " + first.origin_id) if flv else ("ts " + _folder(first.uri))
        p = pending.get(key)
        if p is None:
            container = "flv" if response.splitter is not None else "mpegts"
            src = self.work_dir / f"period-{uuid.uuid4().hex}.{container}"
            writer: FlvPeriod | TsPeriod = (
                FlvPeriod(src, response.splitter)
                if response.splitter is not None
                else TsPeriod(src)
            )
            tail = response.splitter.pending if response.splitter is not None else 0
            p = _Pending(first, container, src, writer, tail_from_before=tail)
            pending[key] = p
            if isinstance(writer, FlvPeriod):
                writer.carry(response.gop.tags)
        start = response.offset
        if isinstance(p.writer, TsPeriod):
            p.writer.begin_segment()
        while chunk:
            response.offset += len(chunk)
            if isinstance(p.writer, TsPeriod):
                p.writer.write(chunk)
            else:
                assert response.splitter is not None
                for tag in response.splitter.feed(chunk):
                    response.gop.add(tag)
                    p.writer.add(tag)
            chunk = payload.read(_READ)
        p.sources.append(
            StreamSource(
                segment=segment,
                record_id=part.record_id,
                uri=part.uri or first.uri,
                payload_from=start,
                payload_to=response.offset,
                part={k: v for k, v in part.record().items() if k != "record_id"},
            )
        )

    # -- writing ----------------------------------------------------------------------------

    def _finish(self, pending: dict[str, _Pending], segment: str) -> list[PeriodStream]:
        out = []
        stem = segment.removesuffix(".gz").removesuffix(".warc")
        for n, p in enumerate(pending.values(), 1):
            p.writer.close()
            if not p.writer.started:
                logger.info("%s: no key frame of %s in this period", segment, p.first.uri)
                continue
            name = f"stream-{stem}-{n}.mp4"
            mp4 = self.work_dir / f"{uuid.uuid4().hex}.mp4"
            try:
                media = remux_file(p.src, p.container, mp4)
            except InputError as exc:
                self.errors.append(f"{segment}: {exc.message_en}")
                continue
            out.append(PeriodStream(mp4, name, self._data(p, media.record())))
        return out

    def _data(self, p: _Pending, media: dict[str, Any]) -> StreamData:
        flv: dict[str, Any] | None = None
        mpegts: dict[str, Any] | None = None
        if isinstance(p.writer, FlvPeriod):
            splitter = p.writer.splitter
            flv = {
                "copied": p.writer.copied.record(),
                "lead_not_copied": p.writer.lead.record(),
                "carried_from_previous_period": {
                    **p.writer.carried.record(),
                    "payload_from": p.writer.carried_from,
                    "payload_to": p.writer.carried_to,
                },
                "head_from_stream_start": [
                    name
                    for name, tag in (
                        ("metadata", splitter.metadata),
                        ("avc_sequence_header", splitter.avc_header),
                        ("aac_sequence_header", splitter.aac_header),
                    )
                    if tag is not None
                ],
                "clock_jumps_ms": [list(gap) for gap in p.writer.gaps],
                "tail_bytes_from_previous_period": p.tail_from_before,
                "tail_bytes_to_next_period": splitter.pending,
            }
        else:
            assert isinstance(p.writer, TsPeriod)
            mpegts = {"segments": p.writer.segments, "bytes": p.writer.size}
        return StreamData(
            derivation=STREAM_DERIVATION,
            container=p.container,
            stream_url=p.first.uri if p.container == "flv" else _folder(p.first.uri),
            response_record=p.first.record_id,
            response_date=p.first.date,
            sources=tuple(p.sources),
            media=media,
            tool={
                "name": "Quzheng",
                "version": forensics.__version__,
                "converter": "forensics.stream.remux (PyAV packet copy)",
            },
            flv=flv,
            mpegts=mpegts,
        )


def _folder(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"


Opener = Callable[[], BinaryIO]


def earlier_in(warcs: Callable[[], Iterable[tuple[str, Opener]]]) -> Earlier:
    """An ``Earlier`` that looks in the WARC segments ``warcs()`` lists (those sealed before
    the period at hand, in order): the response's first part, then its payload, part after
    part, read from the files as it is consumed."""

    def find(origin_id: str) -> tuple[StreamPart, Iterator[bytes]] | None:
        first: StreamPart | None = None
        for name, opener in warcs():
            with opener() as f:
                for part, _ in stream_parts(f, name):
                    if part.record_id == origin_id:
                        first = part
                        break
            if first is not None:
                break
        if first is None:
            return None

        def payload() -> Iterator[bytes]:
            number = 0  # parts in number order, each once (a WARC may be listed twice)
            for name, opener in warcs():
                with opener() as f:
                    for part, stream in stream_parts(f, name):
                        if part.origin_id != origin_id or (part.number or 1) != number + 1:
                            continue
                        number += 1
                        while chunk := stream.read(_READ):
                            yield chunk

        return first, payload()

    return find

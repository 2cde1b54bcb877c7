"""What a package shows, read from the package alone: ledger records, captured URLs, the
bodies of captured responses, recordings and the stream's frame markers.

Everything goes through ``PackageReader`` (bounded, never extracted): a video is copied to a
scratch file only because the MP4 demuxer needs to seek. The ledger is read even when the
package fails verification, so a tampered package still gets feedback on every criterion
(its total is then zeroed or capped by the integrity rule).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from forensics.entry_data import OfficerData, PageData, TrafficData, read
from forensics.errors import InputError
from forensics.ledger import Record, parse_record
from forensics.package import layout as L
from forensics.package.reader import PackageReader
from forensics.training.frames import Sighting, VideoScan, copy_member, scan_image, scan_video

MAX_BODY: Final = 8 << 20
MAX_BODIES_TOTAL: Final = 64 << 20
MAX_MEDIA_BYTES: Final = 32 << 20
MAX_MEDIA_SEGMENTS: Final = 900
MAX_VIDEO_BYTES: Final = 8 << 30
VISIT_TYPES: Final = frozenset({"response", "request", "revisit", "resource"})

# The live room's media, as the range serves it (forensics.range.app): the endless HTTP-FLV
# response the page's player reads (as received: a prefix of the stream), HLS segments, and
# still frames.
_MEDIA = re.compile(r"/(?:flv/live\.flv|hls/seg/\d+\.ts|frames/\d+\.jpg)$")


@dataclass(frozen=True)
class WarcRecord:
    member: str
    rec_type: str
    uri: str


@dataclass(frozen=True)
class StreamSighting:
    """A marker read from captured stream data (a WARC response or a ``capture.stream``)."""

    source: str  # package member
    uri: str  # the segment's URL, or "" for a sealed stream file
    sighting: Sighting


@dataclass
class WarcIndex:
    records: list[WarcRecord] = field(default_factory=list)
    bodies: dict[str, list[bytes]] = field(default_factory=dict)
    sightings: list[StreamSighting] = field(default_factory=list)
    media_segments: int = 0
    truncated: bool = False
    errors: list[str] = field(default_factory=list)

    def body_text(self, uri: str) -> list[str]:
        out = []
        for body in self.bodies.get(uri, []):
            text = body.decode("utf-8", errors="replace")
            out.append(text)
            unescaped = html.unescape(text)
            if unescaped != text:
                out.append(unescaped)
        return out


def entry_urls(rec: Record) -> list[str]:
    typed = read(rec.kind, rec.data)  # forensics.entry_data: as the capture engines write it
    if isinstance(typed, PageData):
        return [typed.url] if typed.url else []
    if isinstance(typed, TrafficData):
        return list(typed.urls)
    data = rec.data
    urls = [data["url"]] if isinstance(data.get("url"), str) else []
    if isinstance(data.get("urls"), list):
        urls += [u for u in data["urls"] if isinstance(u, str)]
    return urls


def items_of(rec: Record) -> list[dict[str, Any]]:
    items = rec.entry.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class LedgerView:
    """Ledger records with the look-ups the criteria use: a package's ledger, or a live
    case's (``forensics.training.progress``)."""

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def of_kind(self, kinds: Iterable[str]) -> list[Record]:
        wanted = set(kinds)
        return [r for r in self.records if r.kind in wanted]

    def first(self, kind: str) -> Record | None:
        return next((r for r in self.records if r.kind == kind), None)

    def officers(self) -> dict[str, OfficerData]:
        """The officers the ledger's ``officer.add`` entries name, by key fingerprint."""
        out: dict[str, OfficerData] = {}
        for r in self.of_kind(["officer.add"]):
            added = OfficerData.from_json(r.data)
            if isinstance(r.data.get("key"), str):
                out[added.key] = added
        return out


class PackageView(LedgerView):
    """One opened package, read lazily; scans are cached."""

    def __init__(self, reader: PackageReader, scratch: Path, deadline: float) -> None:
        self.reader = reader
        self.scratch = scratch
        self.deadline = deadline
        self.names = frozenset(reader.names)
        records: list[Record] = []
        self.malformed = 0
        if reader.has(L.LEDGER):
            text = reader.read_control(L.LEDGER).decode("utf-8", errors="replace")
            for line in text.split("\n"):
                if not line.strip():
                    continue
                try:
                    records.append(parse_record(line))
                except InputError:
                    self.malformed += 1
        super().__init__(records)
        self._videos: dict[tuple[str, bool, int], VideoScan] = {}
        self._warc: WarcIndex | None = None
        self._copies = 0

    # -- package members ------------------------------------------------------------------

    def warc_members(self) -> list[str]:
        return sorted(
            n for n in self.names if n.startswith("archive/") and ".warc" in n.rsplit("/", 1)[-1]
        )

    # -- WARC -----------------------------------------------------------------------------

    def warc(self, body_wanted: Callable[[str], bool], media_sample_s: int | None) -> WarcIndex:
        """One pass over every WARC: URLs, wanted bodies, and markers of stream media."""
        if self._warc is not None:
            return self._warc
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        index = WarcIndex()
        kept = 0
        for name in self.warc_members():
            try:
                with self.reader.open(name) as stream:
                    for record in ArchiveIterator(stream):
                        uri = str(record.rec_headers.get_header("WARC-Target-URI") or "")
                        index.records.append(WarcRecord(name, str(record.rec_type), uri))
                        if record.rec_type != "response" or not uri:
                            continue
                        if body_wanted(uri) and kept < MAX_BODIES_TOTAL:
                            body = record.content_stream().read(MAX_BODY)
                            kept += len(body)
                            index.bodies.setdefault(uri, []).append(body)
                        elif media_sample_s is not None and _MEDIA.search(urlsplit(uri).path):
                            self._scan_media(index, name, uri, record, media_sample_s)
            except (ArchiveLoadFailed, ValueError, OSError, EOFError, InputError) as exc:
                index.errors.append(f"{name}: {exc}")
        self._warc = index
        return index

    def _scan_media(
        self, index: WarcIndex, member: str, uri: str, record: Any, sample_s: int
    ) -> None:
        if index.media_segments >= MAX_MEDIA_SEGMENTS or time.monotonic() > self.deadline:
            index.truncated = True
            return
        data = record.content_stream().read(MAX_MEDIA_BYTES)
        index.media_segments += 1
        if uri.endswith(".jpg"):
            seen = scan_image(data)
            if seen is not None:
                index.sightings.append(StreamSighting(member, uri, seen))
            return
        scan = scan_video(data, sample_seconds=sample_s, max_samples=60, deadline=self.deadline)
        index.sightings += [StreamSighting(member, uri, s) for s in scan.sightings]

    # -- recordings -----------------------------------------------------------------------

    def video(self, path: str, *, markers: bool, sample_seconds: int = 1) -> VideoScan:
        key = (path, markers, sample_seconds if markers else 0)
        if key in self._videos:
            return self._videos[key]
        if not self.reader.has(path):
            scan = VideoScan(None, (), 0, error="missing from the package")
        elif self.reader.size(path) > MAX_VIDEO_BYTES:
            scan = VideoScan(None, (), 0, error="too large to analyse")
        else:
            self._copies += 1
            scratch = self.scratch / f"video-{self._copies}{Path(path).suffix}"
            with self.reader.open(path) as src:
                copy_member(src, scratch, MAX_VIDEO_BYTES)
            try:
                scan = scan_video(
                    scratch,
                    sample_seconds=sample_seconds,
                    deadline=self.deadline,
                    want_markers=markers,
                )
            finally:
                scratch.unlink(missing_ok=True)
        self._videos[key] = scan
        if markers:
            # A marker scan measured the duration as well.
            self._videos.setdefault((path, False, 0), scan)
        return scan

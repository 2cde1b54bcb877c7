"""The stream as received and the room's chat, derived from each sealed traffic segment.

The session hands every entry it seals to ``StreamItems.on_record`` (sealer thread, never
blocks). For each sealed traffic WARC (``capture.traffic``, ``capture.recovered``) a worker
thread of its own reads the sealed blob, remuxes the stream data in it
(``forensics.stream.periods``: packet copy, no decode, no encode) and reads its chat
(``forensics.stream.chat``), then seals, through the session's sealer:

- one ``capture.stream`` entry per stream response (or HLS folder) with stream data in the
  period: the MP4 (folder ``stream``) and data naming its WARC sources;
- one ``capture.chat`` entry when the period holds chat messages: the list as JSON and CSV
  (folder ``chat``).

While the screen is being recorded, an item waits (bounded: one recording segment and a
margin) for the recording segment that covers its period's end, so that it names every
recording segment it overlaps. A period whose stream cannot be read is skipped with a
warning (the WARC is sealed and stays the evidence); the derived items are a view. ``drain`` waits until every segment
handed in so far is done, so ``session.end`` comes after them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from app.capture.sealer import Item, Sealer
from forensics.case import Case
from forensics.entries import Item as LedgerItem
from forensics.errors import QuzhengError
from forensics.har_derive import TRAFFIC_KINDS, WARC_MEDIA_TYPE, traffic_warcs
from forensics.ledger import Record
from forensics.stream.chat import ChatRead, chat_csv, chat_json, read_chat
from forensics.stream.items import (
    CHAT_FOLDER,
    CHAT_KIND,
    STREAM_FOLDER,
    STREAM_KIND,
    chat_data,
    span_of,
    stream_data,
)
from forensics.stream.periods import Opener, StreamPeriods, earlier_in
from forensics.stream.remux import MP4_MEDIA_TYPE

logger = logging.getLogger(__name__)

_SEAL_TIMEOUT: Final = 600.0


class StreamItems:
    """Derives and seals the stream and chat items of a session's traffic segments."""

    def __init__(
        self,
        case: Case,
        sealer: Sealer,
        work_dir: Path,
        *,
        warn: Callable[[str], None],
        recording: Callable[[], bool] = lambda: False,
        max_wait_s: float = 0.0,
    ) -> None:
        self.case = case
        self.sealer = sealer
        self.work_dir = work_dir
        self.warn = warn
        # Whether the screen is being recorded now, and how long an item waits for the
        # recording segment that covers its period's end (``_wait_for_recording``).
        self.recording = recording
        self.max_wait_s = max_wait_s
        self.periods = StreamPeriods(work_dir, earlier=None)
        self._jobs: queue.Queue[Record | None] = queue.Queue()
        self._idle = threading.Condition()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self._current_seq = 0

    # -- feeding (sealer thread) ------------------------------------------------------------

    def on_record(self, record: Record) -> None:
        if record.kind not in TRAFFIC_KINDS:
            return
        with self._idle:
            if self._closed:  # the session is closing: nothing more is derived
                return
            self._busy += 1
            if self._thread is None:
                self.periods.earlier = earlier_in(self._earlier_warcs)
                self._thread = threading.Thread(target=self._run, name="stream-items", daemon=True)
                self._thread.start()
            self._jobs.put(record)  # under the lock: never after close()'s end marker

    def drain(self, timeout: float) -> bool:
        """Wait until every segment handed in so far is done (False on timeout)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        with self._idle:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._jobs.put(None)
        if thread is not None:
            thread.join(60)

    # -- work (own thread) ------------------------------------------------------------------

    def _run(self) -> None:
        while (record := self._jobs.get()) is not None:
            try:
                self._segment(record)
            except Exception as exc:  # a view failed; the sealed WARC stands
                logger.exception("stream items of #%s", record.seq)
                what = exc.message_en if isinstance(exc, QuzhengError) else repr(exc)
                self.warn(f"stream/chat items of traffic entry #{record.seq} not made: {what}")
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _earlier_warcs(self) -> Iterable[tuple[str, Opener]]:
        seen: set[str] = set()
        for rec, item in traffic_warcs(self.case):
            if rec.seq < self._current_seq and item.sha256 not in seen:
                seen.add(item.sha256)  # the same bytes sealed twice are read once
                yield item.name, _opener(self.case, item.sha256)

    def _segment(self, record: Record) -> None:
        self._current_seq = record.seq
        for item in record.items:
            if item.media_type.split(";")[0].strip().lower() != WARC_MEDIA_TYPE:
                continue
            name = _segment_name(record, item)
            errors_before = len(self.periods.errors)
            with self.case.store.open_blob(item.sha256) as warc:
                made = self.periods.period(warc, name)
            for error in self.periods.errors[errors_before:]:
                self.warn(f"stream data not remuxed: {error}")
            try:
                with self.case.store.open_blob(item.sha256) as warc:
                    chat = read_chat(warc, name)
                if made or chat.messages:
                    self._wait_for_recording(record)
                for stream in made:
                    self._seal(
                        STREAM_KIND,
                        functools.partial(stream_data, stream.facts, record, item),
                        [Item(stream.name, MP4_MEDIA_TYPE, path=stream.mp4)],
                        STREAM_FOLDER,
                    )
                if chat.messages:
                    self._seal_chat(record, item, name, chat)
            finally:
                for stream in made:
                    with contextlib.suppress(OSError):
                        stream.mp4.unlink()

    def _videos(self) -> list[Record]:
        """The recording segments sealed so far (the case's ledger: they overlap in time
        only with this session's traffic)."""
        return [r for r in self.case.ledger.records() if r.kind == "capture.video"]

    def _wait_for_recording(self, parent: Record) -> None:
        """While the screen is being recorded, wait (bounded) for the recording segment
        that covers the period's end, so the item can name every segment it overlaps."""
        span = span_of(parent)
        if span is None:
            return
        deadline = time.monotonic() + self.max_wait_s
        while self.recording() and time.monotonic() < deadline:
            for video in self._videos():
                other = span_of(video)
                if other is not None and other[1] >= span[1]:
                    return
            time.sleep(0.2)

    def _seal_chat(self, record: Record, item: LedgerItem, name: str, chat: ChatRead) -> None:
        stem = name.removesuffix(".gz").removesuffix(".warc")
        self._seal(
            CHAT_KIND,
            functools.partial(chat_data, chat, record, item),
            [
                Item(f"chat-{stem}.json", "application/json", data=chat_json(chat.messages)),
                Item(f"chat-{stem}.csv", "text/csv", data=chat_csv(chat.messages)),
            ],
            CHAT_FOLDER,
        )

    def _seal(
        self,
        kind: str,
        data: Callable[[list[Record]], dict[str, Any]],
        items: list[Item],
        folder: str,
    ) -> None:
        """Seal on the sealer thread, the data made there: its ``recording_overlap`` names
        exactly the recording segments sealed before the item."""
        self.sealer.submit(
            lambda: self.sealer.seal_items_now(kind, data(self._videos()), items, folder=folder)
        ).result(_SEAL_TIMEOUT)


def _opener(case: Case, sha256: str) -> Opener:
    return lambda: case.store.open_blob(sha256)


def _segment_name(record: Record, item: LedgerItem) -> str:
    """The traffic segment's own file name (as the proxy wrote it), else the item's."""
    segment = record.data.get("segment")
    return segment if isinstance(segment, str) and segment else item.name

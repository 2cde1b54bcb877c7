"""The live stream's timeline, its sliding-window HLS playlist, the segment store and the
segments remuxed for the HTTP-FLV stream.

Stream time runs from the server's start on its injected clock, plus a pre-roll: the stream
"began" ``preroll_s`` seconds earlier, so the first playlist already holds a few segments.
Segment ``n`` covers stream seconds [n*segment_s, (n+1)*segment_s) and is published once
that span is over. The playlist lists the newest ``window_segments`` published segments;
EXT-X-MEDIA-SEQUENCE is the number of the first one, so it advances with the clock, and a
client polling at least once per window sees every segment number without a gap.

Segments are made on first request (in a worker thread) and kept on disk, keyed by seed,
render version and fonts, so concurrent and repeated requests cost one encode.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forensics.atomic import write_atomic
from forensics.range.content import StreamPlan
from forensics.range.flv import SegmentTags, remux_ts
from forensics.range.video import encode_ts_segment

SEGMENT_KINDS: dict[str, tuple[str, Callable[[StreamPlan, int], bytes]]] = {
    "ts": ("ts", encode_ts_segment),
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class LiveTimeline:
    def __init__(self, plan: StreamPlan, now: Callable[[], float], origin: float) -> None:
        self.plan = plan
        self._now = now
        self.origin = origin

    def range_seconds(self) -> float:
        return self._now() - self.origin

    def stream_seconds(self) -> float:
        return self.range_seconds() + self.plan.preroll_s

    def stream_ms(self) -> int:
        return int(self.stream_seconds() * 1000)

    def live_edge(self) -> int:
        """Number of the newest published segment (-1 before the first is complete)."""
        return int(self.stream_seconds() // self.plan.segment_s) - 1

    def current_frame(self) -> int:
        return int(self.stream_seconds() * self.plan.fps)

    def window(self) -> range:
        edge = self.live_edge()
        return range(max(0, edge - self.plan.window_segments + 1), edge + 1)

    def is_published(self, number: int) -> bool:
        return 0 <= number <= self.live_edge()

    def playlist(self) -> str:
        plan = self.plan
        window = self.window()
        epoch = self.origin - plan.preroll_s
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{plan.segment_s}",
            f"#EXT-X-MEDIA-SEQUENCE:{window.start}",
        ]
        for n in window:
            # Not fromtimestamp(): an injected clock may start near zero, and negative
            # timestamps fail on some platforms.
            start = _EPOCH + timedelta(seconds=epoch + n * plan.segment_s)
            lines.append("#EXT-X-PROGRAM-DATE-TIME:" + start.isoformat(timespec="milliseconds"))
            lines.append(f"#EXTINF:{plan.segment_s:.3f},")
            lines.append(f"seg/{n}.ts")
        return "\n".join(lines) + "\n"


class SegmentStore:
    """Segments on disk under ``directory``; made once, then served from the file."""

    def __init__(self, directory: Path, plan: StreamPlan, executor: Executor) -> None:
        self.directory = directory
        self.plan = plan
        self._executor = executor
        self._pending: dict[tuple[str, int], asyncio.Future[bytes]] = {}

    def path(self, kind: str, number: int) -> Path:
        ext, _ = SEGMENT_KINDS[kind]
        return self.directory / kind / f"{number:08d}.{ext}"

    def _make(self, kind: str, number: int) -> bytes:
        path = self.path(kind, number)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        _, encode = SEGMENT_KINDS[kind]
        data = encode(self.plan, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        return data

    async def get(self, kind: str, number: int) -> bytes:
        key = (kind, number)
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        path = self.path(kind, number)
        if path.is_file():
            return path.read_bytes()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._make, kind, number)
        self._pending[key] = future
        future.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(future)

    def _forget(self, key: tuple[str, int], done: asyncio.Future[bytes]) -> None:
        self._pending.pop(key, None)
        # Retrieve a failure even when every waiter has gone, so it is not reported as
        # "never retrieved"; the waiters that remain get it from their own await.
        if not done.cancelled():
            done.exception()


class FlvSegments:
    """Segments remuxed to FLV tag bodies (``flv.remux_ts``), shared by every FLV viewer:
    the newest few are kept in memory, and a segment is remuxed once however many wait."""

    def __init__(self, store: SegmentStore, executor: Executor, keep: int = 8) -> None:
        self._store = store
        self._executor = executor
        self._keep = keep
        self._done: OrderedDict[int, SegmentTags] = OrderedDict()
        self._pending: dict[int, asyncio.Task[SegmentTags]] = {}

    async def _build(self, number: int) -> SegmentTags:
        data = await self._store.get("ts", number)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, remux_ts, data)

    def prefetch(self, number: int) -> None:
        """Start making segment ``number`` now, so it is ready when its time comes."""
        if number in self._done or number in self._pending:
            return
        task = asyncio.get_running_loop().create_task(self._build(number))
        self._pending[number] = task
        task.add_done_callback(lambda done: self._finish(number, done))

    def _finish(self, number: int, done: asyncio.Task[SegmentTags]) -> None:
        self._pending.pop(number, None)
        if done.cancelled() or done.exception() is not None:
            return  # the next request tries again (and sees the failure itself)
        self._done[number] = done.result()
        while len(self._done) > self._keep:
            self._done.popitem(last=False)

    async def get(self, number: int) -> SegmentTags:
        tags = self._done.get(number)
        if tags is not None:
            return tags
        self.prefetch(number)
        return await asyncio.shield(self._pending[number])

    def pending(self) -> int:
        return len(self._pending)

"""Screen recording of the capture workspace (address bar and page), sealed segment by segment.

Threads:

- GUI thread: a precise single-shot timer, re-armed for the next frame slot, grabs the
  workspace widget (about 1.3 ms at 1280×720) and queues the picture with its monotonic
  and wall-clock time. Nothing else happens there.
- encoder thread: burns the case number and Beijing time (UTC+8) into the bottom-right
  corner, encodes H.264 (libx264, yuv420p, even dimensions) into fragmented MP4 (a crash
  leaves a playable file up to the last fragment), cuts a new segment every
  ``segment_seconds`` (and whenever the workspace changes size or recording pauses), and
  hands each closed segment to the sealer as ``capture.video``.

Marks and pauses travel through the same queue as the frames, so each lands in exactly the
segment, and at exactly the offset, where it happened. A ``mark`` entry names the
recording, the segment, its offset into the recording (``at_us``) and into the segment.
Pausing needs a typed reason, sealed as a ``note``.

Fail closed: if a segment cannot be written (disk full) or sealed, the recorder stops at
once and says why (``failed`` signal, ``error``); nothing is encoded that could not be
sealed, and a segment that was written but not sealed stays in the work folder, where the
next session seals it as ``capture.recovered``.

Frames are never invented: when the GUI thread is late or the encoder falls behind, the
missing frame slots are counted as dropped (per segment, in the sealed data) rather than
filled with copies.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QWidget

from app.capture import sound
from app.capture.leftovers import VIDEO_OPEN_SUFFIX
from app.capture.sealer import Item, Sealer, describe
from app.capture.sound import SoundPlan, SoundSource
from forensics.atomic import replace_durably
from forensics.canonical import format_time, utc_now
from forensics.entry_data import MarkData, VideoData
from forensics.entry_data.recording import PAUSE, RESUME, RESUME_DEFAULT_TEXT, RecordingNote
from forensics.errors import CaptureError, InputError
from forensics.ledger import Record

logger = logging.getLogger(__name__)

BEIJING: Final = timezone(timedelta(hours=8), "UTC+8")
VIDEO_PREFIX: Final = "video-"
OPEN_SUFFIX: Final = VIDEO_OPEN_SUFFIX
URL_STRIP_PX: Final = 32  # the strip above a page picture that carries its URL (burn_url)
MP4_OPTIONS: Final = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}


@dataclass(frozen=True)
class VideoSettings:
    fps: int = 15
    segment_seconds: float = 60.0
    preset: str = "veryfast"
    crf: int = 23
    keyframe_seconds: int = 2
    # Frames waiting for the encoder beyond this many seconds' worth are dropped (counted).
    queue_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not 1 <= self.fps <= 60:
            raise InputError(
                f"the recording frame rate must be 1–60 fps, not {self.fps}",
                f"录像帧率应为 1–60，而不是 {self.fps}",
            )
        if self.segment_seconds <= 0:
            raise InputError("the segment length must be positive", "录像分段时长必须为正数")
        if self.preset not in ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium"):
            raise InputError(
                f"unknown x264 preset {self.preset!r}", f"未知的编码预设 {self.preset!r}"
            )


@dataclass(frozen=True)
class VideoSegment:
    """A closed segment file, as sealed."""

    recording: str
    index: int
    path: Path
    started: datetime
    ended: datetime
    start_us: int
    end_us: int
    frames: int
    dropped: int
    width: int
    height: int
    fps: int
    final: bool
    encoder: str
    urls: tuple[str, ...] = ()
    live: dict[str, Any] | None = None
    source: str = "the capture workspace: address bar and page"
    audio: dict[str, Any] | None = None

    def ledger_data(self, case_number: str) -> dict[str, Any]:
        """The ``capture.video`` entry's data (``forensics.entry_data.VideoData``)."""
        return VideoData(
            recording=self.recording,
            segment=self.index,
            started=format_time(self.started),
            ended=format_time(self.ended),
            start_us=self.start_us,
            end_us=self.end_us,
            fps=self.fps,
            frames=self.frames,
            dropped_frames=self.dropped,
            width=self.width,
            height=self.height,
            case_number=case_number,
            encoder=self.encoder,
            source=self.source,
            audio=self.audio or {"captured": False},
            final=self.final,
            urls_shown=self.urls,
            live=self.live,
        ).to_json()


@dataclass(frozen=True)
class MarkInfo:
    at_us: int
    segment: int
    segment_at_us: int
    time: datetime
    note: str


# -- queue items --------------------------------------------------------------------------


@dataclass
class _Frame:
    image: QImage
    t: float  # monotonic seconds
    wall: datetime
    dropped_before: int
    url: str = ""


@dataclass
class _Mark:
    t: float
    wall: datetime
    note: str
    future: Future[Record]
    page: dict[str, str] | None = None


@dataclass
class _Cut:
    """Close the open segment (pause); then seal ``note`` if given."""

    t: float
    wall: datetime
    note: RecordingNote | None
    future: Future[Record] | None


@dataclass
class _Audio:
    pcm: bytes  # s16le stereo at sound.RATE
    t: float  # monotonic seconds when the chunk was read (its end)


@dataclass
class _Stop:
    t: float
    wall: datetime


@dataclass
class _Open:
    index: int
    path: Path
    container: Any
    stream: Any
    width: int
    height: int
    t0: float
    wall0: datetime
    frames: int = 0
    dropped: int = 0
    last_pts: int = -1
    last_t: float = 0.0
    urls: dict[str, None] = field(default_factory=dict)
    audio: Any = None  # the AAC stream, when the recording has sound
    resampler: Any = None
    fifo: Any = None
    audio_next: int | None = None  # the sample the next chunk continues from
    audio_out: int = 0  # samples handed to the encoder


def _chain(src: Future[Record], dst: Future[Record]) -> None:
    def copy(f: Future[Record]) -> None:
        exc = f.exception()
        if exc is not None:
            dst.set_exception(exc)
        else:
            dst.set_result(f.result())

    src.add_done_callback(copy)


class ScreenRecorder(QObject):
    """Records ``widget`` until ``stop()``; each closed segment is sealed as it closes.

    ``widget`` is the Qt WebEngine workspace (grabbed whole, address bar included) or, for
    the Chromium engine, a function giving the newest picture of the page (its screencast;
    ``None`` before the first one). The output rate is constant: each frame slot takes the
    newest picture, so a page that did not change repeats its picture, as a screen would.
    A source without an address bar (``burn_url``) gets the page's URL burned in at the top.
    """

    failed = Signal(object)  # CaptureError: the recording stopped by itself
    segment_sealed = Signal(object)  # (VideoSegment, Record)

    def __init__(
        self,
        widget: QWidget | Callable[[], QImage | None],
        out_dir: Path,
        sealer: Sealer,
        *,
        case_number: str,
        settings: VideoSettings | None = None,
        now: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        page_info: Callable[[], tuple[str, str]] | None = None,
        live_info: Callable[[str], dict[str, Any] | None] | None = None,
        burn_url: bool = False,
        sound: SoundSource | None = None,
        sound_plan: SoundPlan | None = None,
    ) -> None:
        """``page_info`` (GUI thread) gives the (URL, title) on screen: each segment lists
        the URLs it shows, and a mark names the page it was set on. ``live_info`` (any
        thread) gives the live-stream block for a page URL (``app.capture.live``), for
        segments and marks; ``None`` when no stream was seen."""
        super().__init__()
        self._grab: Callable[[], QImage | None] = (
            (lambda: widget.grab().toImage()) if isinstance(widget, QWidget) else widget
        )
        self._burn_url = burn_url
        self._sound = sound
        self._sound_plan = sound_plan
        self._source = (
            "the capture browser's page (its screencast), its URL burned in above it"
            if burn_url
            else "the capture workspace: address bar and page"
        )
        self._page_info = page_info
        self._live_info = live_info
        self.out_dir = out_dir
        self.sealer = sealer
        self.case_number = case_number
        self.settings = settings or VideoSettings()
        self.recording_id = str(uuid.uuid4())
        self._now = now
        self._mono = monotonic
        self._queue: queue.Queue[_Frame | _Mark | _Cut | _Stop | _Audio] = queue.Queue()
        self._max_frames = max(2, int(self.settings.fps * self.settings.queue_seconds))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._error: CaptureError | None = None
        self._seals: list[tuple[VideoSegment, Future[Record]]] = []
        self._index = 0
        self._t0: float | None = None
        self._slot0 = 0.0  # the time frame slots are counted from (moves on resume)
        self._last_slot = -1
        self._missed = 0
        self._state = "new"  # new, recording, paused, stopped
        self.frames_grabbed = 0
        self.frames_dropped = 0
        self.grab_seconds = 0.0
        self.failed.connect(self._on_failed)

    # -- state ----------------------------------------------------------------------------

    @property
    def error(self) -> CaptureError | None:
        with self._lock:
            return self._error

    @property
    def state(self) -> str:
        return self._state

    @property
    def recording(self) -> bool:
        return self._state == "recording"

    def _require(self, *states: str) -> None:
        err = self.error
        if err is not None:
            raise err
        if self._state not in states:
            raise CaptureError(
                f"The screen recording is {self._state}.",
                {"new": "录像尚未开始。", "paused": "录像已暂停。", "stopped": "录像已停止。"}.get(
                    self._state, "录像状态不允许此操作。"
                ),
            )

    def elapsed_us(self) -> int:
        return 0 if self._t0 is None else int((self._mono() - self._t0) * 1_000_000)

    # -- control (GUI thread) -------------------------------------------------------------

    def start(self) -> None:
        self._require("new")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CaptureError(
                f"Cannot create the recording folder {self.out_dir}: {exc}",
                f"无法创建录像目录 {self.out_dir}：{exc}",
            ) from exc
        self._thread = threading.Thread(target=self._run, name="video-encoder", daemon=True)
        self._thread.start()
        self._t0 = self._slot0 = self._mono()
        self._state = "recording"
        if self._sound is not None:
            try:
                self._sound.start(self._pcm)
            except Exception as exc:  # the picture goes on; the segments say "no sound"
                logger.warning("the browser's sound cannot be recorded: %s", exc)
                self._sound = None
        self._tick()  # the first frame now: the recording starts with a picture

    def mark(self, note: str = "") -> Future[Record]:
        """Seal a ``mark`` at this moment of the recording (in the right segment)."""
        self._require("recording")
        future: Future[Record] = Future()
        page = None
        if self._page_info is not None:
            url, title = self._page_info()
            page = {"url": url, "title": title}
        self._queue.put(_Mark(self._mono(), self._now(), note, future, page))
        return future

    def pause(self, reason: str) -> Future[Record]:
        """Pause with a typed reason (sealed as a ``note``); the open segment is closed."""
        self._require("recording")
        if not reason.strip():
            raise InputError("pausing the recording needs a reason", "暂停录像须填写原因")
        self._timer.stop()
        t, wall = self._mono(), self._now()
        future: Future[Record] = Future()
        note = RecordingNote(
            PAUSE, reason.strip(), self.recording_id, self._at_us(t), format_time(wall)
        )
        self._queue.put(_Cut(t, wall, note, future))
        self._state = "paused"
        return future

    def resume(self, note: str = "") -> Future[Record]:
        self._require("paused")
        t, wall = self._mono(), self._now()
        future: Future[Record] = Future()
        data = RecordingNote(
            RESUME,
            note.strip() or RESUME_DEFAULT_TEXT,
            self.recording_id,
            self._at_us(t),
            format_time(wall),
        )
        _chain(self.sealer.append("note", data.to_json()), future)
        self._state = "recording"
        self._slot0, self._last_slot = t, -1
        self._tick()
        return future

    def stop(self, timeout: float = 60.0) -> list[VideoSegment]:
        """Stop, close and seal the last segment; return every segment sealed.

        Raises the recording's ``CaptureError`` if it failed at any point (what was
        sealed before the failure stays sealed).
        """
        self.request_stop()
        return self.wait_stopped(timeout)

    def _pcm(self, pcm: bytes, t: float) -> None:
        """Sound reader thread: a chunk of the browser's sound (dropped while paused)."""
        if self._state == "recording":
            self._queue.put(_Audio(pcm, t))

    def request_stop(self) -> None:
        """GUI thread, returns at once: no frame is grabbed after this; the encoder closes
        the last segment and it is sealed in the background (``wait_stopped``)."""
        self._timer.stop()
        if self._sound is not None:
            self._sound.stop()
        if self._state in ("recording", "paused"):
            self._queue.put(_Stop(self._mono(), self._now()))
        self._state = "stopped"

    def wait_stopped(self, timeout: float = 60.0) -> list[VideoSegment]:
        """Any thread, after ``request_stop``: wait for the encoder and every seal; return
        every segment sealed, or raise the recording's ``CaptureError``."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._fail(
                    CaptureError(
                        "The video encoder did not finish in time.", "视频编码未能按时完成。"
                    )
                )
        segments = []
        for segment, future in list(self._seals):
            try:
                future.result(timeout)
                segments.append(segment)
            except Exception as exc:
                self._fail(describe(exc))
        err = self.error
        if err is not None:
            raise err
        return segments

    def sealed_segments(self) -> list[VideoSegment]:
        return [s for s, f in self._seals if f.done() and f.exception() is None]

    # -- frames (GUI thread) --------------------------------------------------------------

    def _at_us(self, t: float) -> int:
        return 0 if self._t0 is None else int((t - self._t0) * 1_000_000)

    def _tick(self) -> None:
        if self._state != "recording" or self.error is not None:
            return
        fps = self.settings.fps
        t = self._mono()
        slot = int((t - self._slot0) * fps)
        if slot > self._last_slot:
            if self._last_slot >= 0 and slot > self._last_slot + 1:
                self._missed += slot - self._last_slot - 1
            self._last_slot = slot
            if self._queue.qsize() >= self._max_frames:
                self._missed += 1  # the encoder is behind: drop, and say so
            else:
                g0 = time.perf_counter()
                image = self._grab()
                self.grab_seconds += time.perf_counter() - g0
                if image is None or image.isNull():
                    self._missed += 1  # no picture yet: a dropped slot, never an invented one
                else:
                    url = self._page_info()[0] if self._page_info is not None else ""
                    self._queue.put(_Frame(image, t, self._now(), self._missed, url))
                    self.frames_dropped += self._missed
                    self._missed = 0
                    self.frames_grabbed += 1
        # Re-arm for the start of the next slot (rounded up: never early).
        due = self._slot0 + (self._last_slot + 1) / fps
        self._timer.start(max(0, int((due - self._mono()) * 1000) + 1))

    def _on_failed(self, err: object) -> None:
        self._timer.stop()

    # -- encoder thread -------------------------------------------------------------------

    def _fail(self, err: CaptureError) -> None:
        with self._lock:
            first = self._error is None
            if first:
                self._error = err
        if first:
            logger.error("screen recording stopped: %s", err.message_en)
            self.failed.emit(err)

    def _run(self) -> None:
        seg: _Open | None = None
        try:
            while True:
                item = self._queue.get()
                if self.error is not None:
                    if isinstance(item, _Stop):
                        break
                    continue  # drain: after a failure nothing more is encoded
                if isinstance(item, _Frame):
                    seg = self._frame(seg, item)
                elif isinstance(item, _Audio):
                    if seg is not None and seg.audio is not None:
                        self._audio(seg, item)
                elif isinstance(item, _Mark):
                    self._mark(seg, item)
                elif isinstance(item, _Cut):
                    if seg is not None:
                        self._close(seg, item.t, item.wall, final=False)
                        seg = None
                    if item.note is not None and item.future is not None:
                        _chain(self.sealer.append("note", item.note.to_json()), item.future)
                elif isinstance(item, _Stop):
                    if seg is not None:
                        self._close(seg, item.t, item.wall, final=True)
                        seg = None
                    break
        except Exception as exc:
            self._fail(
                CaptureError(
                    f"The screen recording could not be written and has stopped: {exc}",
                    f"无法写入录像，录像已停止：{exc}",
                )
            )
            if seg is not None:
                with contextlib.suppress(Exception):
                    seg.container.close()
        finally:
            # Give back the pictures still queued, however the loop ended.
            with contextlib.suppress(queue.Empty):
                while True:
                    self._queue.get_nowait()

    def _encoder_name(self) -> str:
        s = self.settings
        return f"libx264 preset={s.preset} crf={s.crf} tune=zerolatency gop={s.fps * s.keyframe_seconds}"

    def _open(self, t: float, wall: datetime, width: int, height: int) -> _Open:
        import av

        index = self._index
        self._index += 1
        path = self.out_dir / f"{VIDEO_PREFIX}{self.recording_id[:8]}-{index:04d}.mp4{OPEN_SUFFIX}"
        container = av.open(str(path), "w", format="mp4", options=dict(MP4_OPTIONS))
        s = self.settings
        stream = container.add_stream(
            "libx264",
            rate=s.fps,
            options={
                "preset": s.preset,
                "crf": str(s.crf),
                "tune": "zerolatency",
                "g": str(s.fps * s.keyframe_seconds),
            },
        )
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        container.metadata["title"] = f"{self.case_number} screen recording"
        container.metadata["comment"] = f"Quzheng recording {self.recording_id} segment {index}"
        container.metadata["creation_time"] = format_time(wall)
        seg = _Open(index, path, container, stream, width, height, t, wall)
        if self._sound is not None:
            seg.audio = container.add_stream("aac", rate=sound.RATE, layout="stereo")
            seg.audio.codec_context.time_base = Fraction(1, sound.RATE)
            seg.resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sound.RATE)
            seg.fifo = av.AudioFifo()
        return seg

    def _audio(self, seg: _Open, item: _Audio) -> None:
        """Encoder thread: a chunk of sound into the open segment, placed by its time; a
        gap (the sound server was late) is filled with silence so the track stays in step
        with the picture."""
        n = len(item.pcm) // (sound.CHANNELS * sound.SAMPLE_BYTES)
        if n == 0:
            return
        ideal = round((item.t - seg.t0) * sound.RATE) - n
        if ideal + n <= 0:
            return  # sound from before this segment
        if seg.audio_next is None:
            seg.audio_next = 0
            if ideal < 0:  # began before the segment: its part in this segment only
                skip = -ideal * sound.CHANNELS * sound.SAMPLE_BYTES
                item = _Audio(item.pcm[skip:], item.t)
            elif ideal > 0:  # the first sound arrived after the first picture
                self._encode_audio(seg, bytes(ideal * sound.CHANNELS * sound.SAMPLE_BYTES))
        elif ideal - seg.audio_next > sound.RATE // 4:
            gap = ideal - seg.audio_next
            self._encode_audio(seg, bytes(gap * sound.CHANNELS * sound.SAMPLE_BYTES))
        self._encode_audio(seg, item.pcm)

    def _encode_audio(self, seg: _Open, pcm: bytes) -> None:
        import av

        n = len(pcm) // (sound.CHANNELS * sound.SAMPLE_BYTES)
        frame = av.AudioFrame(format="s16", layout="stereo", samples=n)
        frame.planes[0].update(pcm)
        frame.sample_rate = sound.RATE
        for out in seg.resampler.resample(frame):
            out.pts = None
            seg.fifo.write(out)
        assert seg.audio_next is not None
        seg.audio_next += n
        while (chunk := seg.fifo.read(1024)) is not None:
            self._mux_audio(seg, chunk)

    def _mux_audio(self, seg: _Open, chunk: Any) -> None:
        chunk.pts = seg.audio_out
        chunk.time_base = Fraction(1, sound.RATE)
        seg.audio_out += chunk.samples
        for packet in seg.audio.encode(chunk):
            seg.container.mux(packet)

    def _frame(self, seg: _Open | None, item: _Frame) -> _Open:
        image = item.image
        strip = URL_STRIP_PX if self._burn_url else 0
        width, height = image.width() & ~1, (image.height() + strip) & ~1
        if width < 2 or height < 2:
            raise CaptureError("The workspace is too small to record.", "工作区太小，无法录像。")
        if seg is not None and (
            (width, height) != (seg.width, seg.height)
            or item.t - seg.t0 >= self.settings.segment_seconds
        ):
            self._close(seg, item.t, item.wall, final=False)
            seg = None
        if seg is None:
            seg = self._open(item.t, item.wall, width, height)
        frame = self._picture(image, width, height, item.wall, item.url)
        pts = max(round((item.t - seg.t0) * 1000), seg.last_pts + 1)
        frame.pts = pts
        frame.time_base = Fraction(1, 1000)
        for packet in seg.stream.encode(frame):
            seg.container.mux(packet)
        seg.last_pts = pts
        seg.last_t = item.t
        seg.frames += 1
        seg.dropped += item.dropped_before
        if item.url and len(seg.urls) < 200:
            seg.urls.setdefault(item.url, None)
        return seg

    def _picture(self, image: QImage, width: int, height: int, wall: datetime, url: str) -> Any:
        import av

        img = image.convertToFormat(QImage.Format.Format_RGBX8888)
        if self._burn_url:
            # The page's URL in a strip of its own above the picture: nothing of the page
            # is covered (the Chromium window's own address bar is not in the screencast).
            framed = QImage(width, height, QImage.Format.Format_RGBX8888)
            framed.fill(QColor(0, 0, 0))
            painter = QPainter(framed)
            try:
                painter.drawImage(0, URL_STRIP_PX, img)
            finally:
                painter.end()
            img = framed
        elif (img.width(), img.height()) != (width, height):
            img = img.copy(0, 0, width, height)
        self._overlay(img, wall, url if self._burn_url else "")
        return av.VideoFrame.from_bytes(bytes(img.constBits()), width, height, "rgba")

    def _overlay(self, img: QImage, wall: datetime, url: str = "") -> None:
        local = wall.astimezone(BEIJING)
        text = (
            f"{self.case_number}  {local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 100_000}"
            " 北京时间 UTC+8"
        )
        painter = QPainter(img)
        try:
            font = QFont("Noto Sans CJK SC")
            font.setPixelSize(max(11, min(22, img.height() // 40)))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            pad = 4
            w = metrics.horizontalAdvance(text) + 2 * pad
            h = metrics.height() + 2 * pad
            box = QRect(img.width() - w - 2, img.height() - h - 2, w, h)
            painter.fillRect(box, QColor(0, 0, 0, 170))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            if url:
                shown = metrics.elidedText(url, Qt.TextElideMode.ElideMiddle, img.width() - 16)
                top = QRect(0, 0, img.width(), URL_STRIP_PX)
                painter.drawText(
                    top.adjusted(pad, 0, -pad, 0),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    shown,
                )
        finally:
            painter.end()

    def _mark(self, seg: _Open | None, item: _Mark) -> None:
        live = None
        if item.page is not None and self._live_info is not None:
            live = self._live_info(item.page["url"])
        data = MarkData(
            recording=self.recording_id,
            at_us=self._at_us(item.t),
            segment=seg.index if seg is not None else self._index,
            segment_at_us=int((item.t - seg.t0) * 1_000_000) if seg is not None else 0,
            time=format_time(item.wall),
            note=item.note,
            page=item.page,
            live=live if item.page is not None else None,
        ).to_json()
        _chain(self.sealer.append("mark", data), item.future)

    def _close(self, seg: _Open, t: float, wall: datetime, *, final: bool) -> None:
        for packet in seg.stream.encode(None):
            seg.container.mux(packet)
        if seg.audio is not None:
            rest = seg.fifo.read()
            if rest is not None:
                self._mux_audio(seg, rest)
            for packet in seg.audio.encode(None):
                seg.container.mux(packet)
        seg.container.close()
        final_path = seg.path.with_name(seg.path.name.removesuffix(OPEN_SUFFIX))
        replace_durably(seg.path, final_path)
        end = max(t, seg.last_t)
        segment = VideoSegment(
            recording=self.recording_id,
            index=seg.index,
            path=final_path,
            started=seg.wall0,
            ended=wall,
            start_us=self._at_us(seg.t0),
            end_us=self._at_us(end),
            frames=seg.frames,
            dropped=seg.dropped,
            width=seg.width,
            height=seg.height,
            fps=self.settings.fps,
            final=final,
            encoder=self._encoder_name(),
            urls=tuple(seg.urls),
            live=self._segment_live(seg),
            source=self._source,
            audio=self._audio_facts(seg),
        )
        future = self.sealer.seal_items(
            "capture.video",
            segment.ledger_data(self.case_number),
            [Item(final_path.name, "video/mp4", path=final_path)],
        )
        self._seals.append((segment, future))
        future.add_done_callback(lambda f: self._sealed(segment, f))

    def _audio_facts(self, seg: _Open) -> dict[str, Any]:
        plan = self._sound_plan
        if seg.audio is None:
            why = plan.what_en if plan is not None and plan.backend is None else ""
            return {"captured": False, **({"why": why} if why else {})}
        return {
            "captured": True,
            "codec": "aac",
            "rate": sound.RATE,
            "channels": sound.CHANNELS,
            "samples": seg.audio_out,
            "source": plan.what_en if plan is not None else "",
        }

    def _segment_live(self, seg: _Open) -> dict[str, Any] | None:
        if self._live_info is None or not seg.urls:
            return None
        return self._live_info(next(reversed(seg.urls)))  # the page shown last

    def _sealed(self, segment: VideoSegment, future: Future[Record]) -> None:
        exc = future.exception()
        if exc is not None:
            err = describe(exc)
            self._fail(
                CaptureError(
                    f"A recording segment could not be sealed; recording stopped: {err.message_en}",
                    f"录像分段无法封存，录像已停止：{err.message_zh}",
                )
            )
            return
        with contextlib.suppress(OSError):
            segment.path.unlink()  # sealed into the blob store: the work copy has served
        self.segment_sealed.emit((segment, future.result()))

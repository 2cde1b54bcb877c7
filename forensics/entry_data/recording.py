"""The data of the screen recorder's entries (``app.capture.recorder``): each sealed
segment file (``capture.video``), each mark an officer sets while recording (``mark``), and
the ``note`` it seals when the officer pauses or resumes (``RecordingNote``).

A recording is a run of segments sharing one ``recording`` id; ``segment`` is the index of
the file. A mark names the recording and the segment it falls in, its time on the
recording's clock (``at_us``) and inside that segment's file (``segment_at_us``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, flag, integer, obj, plain, strings, text

# What the recorder seals as a ``recording.resume`` note's text when the officer wrote none.
RESUME_DEFAULT_TEXT = "录像继续 / recording resumed"
PAUSE, RESUME = "recording.pause", "recording.resume"


@dataclass(frozen=True)
class RecordingNote:
    """A ``note`` with ``event: recording.pause`` (``text``: the reason the officer typed;
    the open segment is closed first) or ``recording.resume`` (``text``: what the officer
    wrote, else ``RESUME_DEFAULT_TEXT``). ``at_us`` is on the recording's clock, ``time`` the
    wall clock (RFC 3339 UTC), so the report and the timeline show the gap and its reason."""

    event: str  # PAUSE or RESUME
    text: str
    recording: str
    at_us: int | None
    time: str

    @property
    def own_text(self) -> str:
        """What the officer wrote (a resume with no words of theirs gives "")."""
        said = self.text.strip()
        return "" if self.event == RESUME and said == RESUME_DEFAULT_TEXT else said

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "event": self.event,
            "recording": self.recording,
            "at_us": self.at_us,
            "time": self.time,
        }

    @classmethod
    def from_json(cls, raw: object) -> RecordingNote | None:
        """The pause or resume note's data; None when ``raw`` is neither."""
        d = obj(raw)
        event = d.get("event")
        if event not in (PAUSE, RESUME):
            return None
        return cls(
            event=str(event),
            text=text(d.get("text")),
            recording=text(d.get("recording")),
            at_us=integer(d.get("at_us")),
            time=text(d.get("time")),
        )


@dataclass(frozen=True)
class MarkData:
    recording: str
    segment: int | None
    at_us: int | None  # on the recording's clock
    segment_at_us: int | None  # inside the segment's file
    time: str  # RFC 3339 UTC, the wall clock when the officer marked
    note: str
    page: dict[str, Any] | None = None  # the page shown (url, title) when known
    live: dict[str, Any] | None = None  # the live room's facts (app.capture.live)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "recording": self.recording,
            "at_us": self.at_us,
            "segment": self.segment,
            "segment_at_us": self.segment_at_us,
            "time": self.time,
            "note": self.note,
        }
        if self.page is not None:
            out["page"] = dict(self.page)
        if self.live is not None:
            out["live"] = dict(self.live)
        return out

    @classmethod
    def from_json(cls, raw: object) -> MarkData:
        d = obj(raw)
        return cls(
            recording=text(d.get("recording")),
            segment=integer(d.get("segment")),
            at_us=integer(d.get("at_us")),
            segment_at_us=integer(d.get("segment_at_us")),
            time=text(d.get("time")),
            note=text(d.get("note")),
            page=plain(d.get("page")) if obj(d.get("page")) else None,
            live=plain(d.get("live")) if obj(d.get("live")) else None,
        )


@dataclass(frozen=True)
class VideoData:
    """One sealed segment of a screen recording (H.264 in fragmented MP4)."""

    recording: str
    segment: int | None
    started: str
    ended: str
    start_us: int
    end_us: int
    fps: int
    frames: int
    dropped_frames: int
    width: int
    height: int
    case_number: str
    encoder: str
    source: str
    audio: dict[str, Any]
    final: bool
    urls_shown: tuple[str, ...] = ()
    live: dict[str, Any] | None = None
    codec: str = "h264"
    pix_fmt: str = "yuv420p"
    container: str = "mp4 (fragmented)"
    overlay: str = "case number and Beijing time (UTC+8), bottom-right corner"
    # Read only: the ``duration_us`` the entry states (None when absent or not an integer);
    # producers leave it None and ``to_json`` writes ``duration_us`` from start and end.
    stated_duration_us: int | None = None

    @property
    def duration_us(self) -> int:
        return self.end_us - self.start_us

    def to_json(self) -> dict[str, Any]:
        return {
            "recording": self.recording,
            "segment": self.segment,
            "started": self.started,
            "ended": self.ended,
            "start_us": self.start_us,
            "end_us": self.end_us,
            "duration_us": self.duration_us,
            "fps": self.fps,
            "frames": self.frames,
            "dropped_frames": self.dropped_frames,
            "width": self.width,
            "height": self.height,
            "case_number": self.case_number,
            "codec": self.codec,
            "pix_fmt": self.pix_fmt,
            "container": self.container,
            "encoder": self.encoder,
            "overlay": self.overlay,
            "source": self.source,
            "audio": dict(self.audio) or {"captured": False},
            "final": self.final,
            "urls_shown": list(self.urls_shown),
            **({"live": dict(self.live)} if self.live is not None else {}),
        }

    @classmethod
    def from_json(cls, raw: object) -> VideoData:
        d = obj(raw)
        return cls(
            recording=text(d.get("recording")),
            segment=integer(d.get("segment")),
            started=text(d.get("started")),
            ended=text(d.get("ended")),
            start_us=integer(d.get("start_us")) or 0,
            end_us=integer(d.get("end_us")) or 0,
            fps=count(d.get("fps")),
            frames=count(d.get("frames")),
            dropped_frames=count(d.get("dropped_frames")),
            width=count(d.get("width")),
            height=count(d.get("height")),
            case_number=text(d.get("case_number")),
            encoder=text(d.get("encoder")),
            source=text(d.get("source")),
            audio=plain(d.get("audio")),
            final=flag(d.get("final")),
            urls_shown=strings(d.get("urls_shown")),
            live=plain(d.get("live")) if obj(d.get("live")) else None,
            codec=text(d.get("codec")),
            pix_fmt=text(d.get("pix_fmt")),
            container=text(d.get("container")),
            overlay=text(d.get("overlay")),
            stated_duration_us=integer(d.get("duration_us")),
        )

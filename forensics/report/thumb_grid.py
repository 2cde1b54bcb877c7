"""The thumbnails section: pictures of the sealed images and of the recordings' frames at
their marks, made in parallel and laid out in a grid with captions."""

from __future__ import annotations

import io
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle

from forensics.entries import mapping
from forensics.entries import text as str_of
from forensics.entry_data import ImportData, VideoData
from forensics.report.fonts import TEXT_FONT
from forensics.report.layout import FRAME_W, StoryBuilder
from forensics.report.model import EvidenceRow, MarkInfo
from forensics.report.narrative import at_text, bj, category, cut
from forensics.report.page import GRID_COLOR
from forensics.report.thumbs import Thumb, failed, image_thumb, video_thumbs

THUMB_COLS = 3
THUMB_MAX_H = 190.0
THUMB_WORKERS = min(2, os.cpu_count() or 1)


class _JpegReader(ImageReader):  # type: ignore[misc]  # reportlab is untyped
    """A JPEG thumbnail reportlab embeds as it is.

    ``canvas.drawImage`` names every image by its ``getRGBData()``; the stock reader decodes
    the picture to raw RGB for that and keeps it (half a megabyte per thumbnail). The JPEG
    bytes name it just as well, and the JPEG itself is what gets embedded.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data
        self._dataA = None

    def getRGBData(self) -> bytes:
        return self._jpeg


class _Picture(Flowable):  # type: ignore[misc]  # reportlab is untyped
    def __init__(self, jpeg: bytes, width: float, height: float) -> None:
        super().__init__()
        self.jpeg = jpeg
        self.width = width
        self.height = height

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(_JpegReader(self.jpeg), 0, 0, self.width, self.height)


def _thumb_task(fp: BinaryIO | None, offsets: list[int] | None) -> Thumb | dict[int, Thumb]:
    if fp is None:
        missing = failed("th.missing")
        return missing if offsets is None else dict.fromkeys(offsets, missing)
    with fp:
        return image_thumb(fp) if offsets is None else video_thumbs(fp, offsets)


def _key(row: EvidenceRow) -> tuple[str, int | None]:
    video = VideoData.from_json(row.data)
    return video.recording, video.segment


def frame_offset(mark: MarkInfo, video: VideoData) -> int:
    """Where in the segment's file a mark falls (µs): as the recorder wrote it
    (``segment_at_us``), else from the recording's clock and the segment's start."""
    if mark.mark.segment_at_us is not None:
        return max(0, mark.mark.segment_at_us)
    if mark.at_us is not None:
        return max(0, mark.at_us - video.start_us)
    return 0


class ThumbnailGrid(StoryBuilder):
    """The thumbnails section."""

    def thumbs_section(self) -> None:
        # A heading alone at the foot of a page, its pictures on the next: keep them together.
        self.story.append(CondPageBreak(THUMB_MAX_H + 90))
        self.h("sec.thumbs")
        cells: list[list[Flowable]] = []
        # A mark names its recording and segment as the recorder wrote them; the segment's
        # capture.video entry names the same two.
        segments: dict[tuple[str, int | None], EvidenceRow] = {}
        for row in self.m.evidence:
            if row.kind == "capture.video" and row.media_type.startswith("video/"):
                video = VideoData.from_json(row.data)
                if video.recording:
                    segments.setdefault((video.recording, video.segment), row)
        marks_of: dict[int, list[tuple[MarkInfo, int]]] = {}
        placed: set[int] = set()
        for mk in self.m.marks:
            seg_row = segments.get((mk.mark.recording, mk.mark.segment))
            if seg_row is not None:
                offset = frame_offset(mk, VideoData.from_json(seg_row.data))
                marks_of.setdefault(seg_row.seq, []).append((mk, offset))
                placed.add(mk.seq)
        tasks: list[tuple[EvidenceRow, list[int] | None]] = []
        for row in self.m.evidence:
            if row.media_type.startswith("image/"):
                tasks.append((row, None))
            elif row.media_type.startswith("video/"):
                marks = marks_of.get(row.seq, []) if segments.get(_key(row)) is row else []
                tasks.append((row, [0] + [offset for _, offset in marks]))
        made = self.make_thumbs(tasks)
        for (row, offsets), result in zip(tasks, made, strict=True):
            if offsets is None:
                assert isinstance(result, Thumb)
                cells.append(self.thumb_cell(row, result, self.caption(row)))
                continue
            assert isinstance(result, dict)
            cells.append(
                self.thumb_cell(row, result[0], [*self.caption(row), self.L("th.first_frame")])
            )
            if segments.get(_key(row)) is not row:
                continue
            for mk, offset in sorted(marks_of.get(row.seq, []), key=lambda m: m[1]):
                caption = [
                    f"#{row.no} · {self.L('v.entry', mk.seq)}",
                    self.L("th.mark_frame", at_text(mk.at_us), cut(mk.note or "-", 200)),
                    bj(mk.time),
                ]
                cells.append(self.thumb_cell(row, result[offset], caption))
        for mk in self.m.marks:
            if mk.seq not in placed:
                caption = [
                    self.L("v.entry", mk.seq),
                    self.L("th.mark_frame", at_text(mk.at_us), cut(mk.note or "-", 200)),
                    bj(mk.time),
                ]
                cells.append(self.thumb_cell(None, failed("th.no_recording"), caption))
        if not cells:
            self.story.append(self.p(self.L("th.none")))
            return
        col_w = FRAME_W / THUMB_COLS
        grid = [cells[i : i + THUMB_COLS] for i in range(0, len(cells), THUMB_COLS)]
        for line in grid:
            line.extend([[]] * (THUMB_COLS - len(line)))
        for i in range(0, len(grid), 4):
            t = Table(grid[i : i + 4], colWidths=[col_w] * THUMB_COLS)
            t.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                        ("TOPPADDING", (0, 0), (-1, -1), 4),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                        ("FONTNAME", (0, 0), (-1, -1), TEXT_FONT),
                    ]
                )
            )
            self.story.append(t)

    def make_thumbs(
        self, tasks: list[tuple[EvidenceRow, list[int] | None]]
    ) -> list[Thumb | dict[int, Thumb]]:
        """Thumbnails in parallel (Pillow and FFmpeg release the GIL), in task order.

        Files are opened here, on this thread, a few at a time; each worker reads and
        closes only the file it was given.
        """
        results: list[Thumb | dict[int, Thumb] | None] = [None] * len(tasks)
        with ThreadPoolExecutor(THUMB_WORKERS, thread_name_prefix="qz-thumb") as pool:
            pending: deque[tuple[int, Future[Thumb | dict[int, Thumb]]]] = deque()
            for i, (row, offsets) in enumerate(tasks):
                fp = self.source.open_sealed(row.item)
                pending.append((i, pool.submit(_thumb_task, fp, offsets)))
                while len(pending) >= 2 * THUMB_WORKERS:
                    j, fut = pending.popleft()
                    results[j] = fut.result()
            for j, fut in pending:
                results[j] = fut.result()
        return [r for r in results if r is not None]

    def caption(self, row: EvidenceRow) -> list[str]:
        lines = [
            f"#{row.no} {category(self.lang, row.kind)} · {self.L('v.entry', row.seq)}",
            row.path,
            self.L("th.sealed", bj(row.time)),
        ]
        d = row.data
        if str_of(d.get("title")):
            lines.append(cut(str_of(d.get("title")), 120))
        if str_of(d.get("url")):
            lines.append(cut(str_of(d.get("url")), 200))
        exif = ImportData.from_json(d).exif if row.kind == "import.file" else None
        if exif:
            if str_of(exif.get("camera")):
                lines.append(self.L("th.exif_camera", str_of(exif.get("camera"))))
            if str_of(exif.get("original_time")):
                lines.append(self.L("th.exif_time", str_of(exif.get("original_time"))))
            gps = mapping(exif.get("gps"))
            if gps:
                lines.append(self.L("th.exif_gps", str_of(gps.get("lat")), str_of(gps.get("lon"))))
        return lines

    def thumb_cell(
        self, row: EvidenceRow | None, thumb: Thumb, caption: list[str]
    ) -> list[Flowable]:
        col_w = FRAME_W / THUMB_COLS - 6
        out: list[Flowable] = []
        if thumb.jpeg is not None and thumb.width > 0 and thumb.height > 0:
            self.thumbs_ok += 1
            scale = min(col_w / thumb.width, THUMB_MAX_H / thumb.height)
            out.append(_Picture(thumb.jpeg, thumb.width * scale, thumb.height * scale))
            if thumb.cropped:
                caption = [*caption, self.L("th.top")]
        else:
            self.thumbs_failed += 1
            text = self.L("th.failed")
            if thumb.error and thumb.error != "th.failed":
                reason = self.L(thumb.error)
                text += f"（{reason}）" if self.lang == "zh" else f" ({reason})"
            box = Table([[self.p(text, "caption")]], colWidths=[col_w], rowHeights=[48])
            box.setStyle(
                TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 0.5, GRID_COLOR),
                        ("FONTNAME", (0, 0), (-1, -1), TEXT_FONT),  # no Helvetica, ever
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f3f3")),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ]
                )
            )
            out.append(box)
            self.warnings.append(
                f"no thumbnail for {row.path if row else 'a mark'}: {thumb.error} {thumb.detail}".strip()
            )
        out.append(Spacer(1, 2))
        out.append(self.p("\n".join(caption), "caption"))
        if row is not None and ImportData.from_json(row.data).exif_time_far_from_import:
            out.append(self.p(self.L("th.exif_flag"), "caption_note"))
        return out

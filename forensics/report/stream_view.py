"""The report's account of the live stream as received (``capture.stream``) beside the screen
recording (``capture.video``), and of the live room's chat (``capture.chat``).

Shown at the end of the derived-items section, only when the case has such items. The overlap
with the recording is worked out here from both entries' times (the traffic period of the
stream item, the recording segment's start and end), so it lists recording segments sealed
after the stream item too.
"""

from __future__ import annotations

from forensics.entries import int_of, mapping
from forensics.entry_data import ChatData, ChatMessageData, RecordingOverlap, StreamData
from forensics.ledger import Record
from forensics.report.layout import CELL_SIZE, FRAME_W, StoryBuilder, wrap
from forensics.report.narrative import bj, cut
from forensics.stream.items import overlaps, parse_when, span_of

MAX_SOURCES = 4
MAX_CHAT_TEXT = 120


class StreamSections(StoryBuilder):
    """``stream_section``: the stream items with their overlap, then the chat per period."""

    def stream_section(self) -> None:
        streams = [r for r in self.m.records if r.kind == "capture.stream"]
        chats = [r for r in self.m.records if r.kind == "capture.chat"]
        videos = [r for r in self.m.records if r.kind == "capture.video"]
        if streams:
            self._streams(streams, videos)
        if chats:
            self._chats(chats)

    def _row_no(self, rec: Record, n: int = 0) -> str:
        items = rec.items
        if n >= len(items):
            return "-"
        row = self.m.evidence_by_sha(items[n].sha256)
        return f"#{row.no} {row.path}" if row is not None else items[n].path

    def _period(self, rec: Record) -> str:
        span = span_of(rec)
        if span is None:
            return "-"
        return f"{bj(span[0])}\n– {bj(span[1])[11:]}"

    def _streams(self, streams: list[Record], videos: list[Record]) -> None:
        self.h3(self.L("st.head"))
        self.story.append(self.p(self.L("st.intro"), "small"))
        widths = [110, 70, 130, 80, FRAME_W - 390]
        rows = []
        for rec in streams:
            data = StreamData.from_json(rec.data)
            source_text = "\n".join(
                self.L(
                    "st.source",
                    segment=cut(s.segment, 80),
                    rid=cut(s.record_id, 60),
                    a=s.payload_from,
                    b=s.payload_to,
                )
                for s in data.sources[:MAX_SOURCES]
            )
            media = data.media
            content = self.L(
                "st.media",
                v=int_of(mapping(media.get("video")).get("packets")) or 0,
                a=int_of(mapping(media.get("audio")).get("packets")) or 0,
                first=_ms(media.get("stream_first_ms")),
                last=_ms(media.get("stream_last_ms")),
            )
            jumps = mapping(data.flv).get("clock_jumps_ms")
            if isinstance(jumps, list) and jumps:
                content += "\n" + self.L("st.jumps", n=len(jumps))
            shared = overlaps(span_of(rec), videos)
            overlap_text = "\n".join(self._overlap(o) for o in shared) or self.L("st.none")
            rows.append(
                [
                    wrap(self._row_no(rec) + "\n" + cut(data.stream_url, 200),
                         CELL_SIZE, widths[0] - 6),
                    wrap(self._period(rec), CELL_SIZE, widths[1] - 6),
                    wrap(source_text or "-", CELL_SIZE, widths[2] - 6),
                    wrap(content, CELL_SIZE, widths[3] - 6),
                    wrap(overlap_text, CELL_SIZE, widths[4] - 6),
                ]
            )  # fmt: skip
        header = [
            self.L(k)
            for k in ("st.col_item", "st.col_period", "st.col_source", "st.col_media", "st.col_overlap")
        ]  # fmt: skip
        self.story.extend(self.table(header, rows, widths))

    def _overlap(self, overlap: RecordingOverlap) -> str:
        seq = overlap.seq
        video = next((r for r in self.m.records if r.seq == seq), None)
        where = self._row_no(video) if video is not None else overlap.path or ""
        shared = overlap.overlap_ms / 1000
        return self.L("st.overlap", no=seq, path=where, s=f"{shared:.1f}")

    def _chats(self, chats: list[Record]) -> None:
        self.h3(self.L("ch.head"))
        self.story.append(self.p(self.L("ch.intro"), "small"))
        widths = [110, 70, 36, (FRAME_W - 216) / 2, (FRAME_W - 216) / 2]
        rows = []
        for rec in chats:
            chat = ChatData.from_json(rec.data)
            rows.append(
                [
                    wrap(self._row_no(rec) + "\n" + self._row_no(rec, 1), CELL_SIZE, widths[0] - 6),
                    wrap(self._period(rec), CELL_SIZE, widths[1] - 6),
                    str(chat.count),
                    wrap(self._message(chat.first), CELL_SIZE, widths[3] - 6),
                    wrap(self._message(chat.last), CELL_SIZE, widths[4] - 6),
                ]
            )
        header = [
            self.L(k)
            for k in ("ch.col_item", "st.col_period", "ch.col_count", "ch.col_first", "ch.col_last")
        ]  # fmt: skip
        self.story.extend(self.table(header, rows, widths))

    def _message(self, message: ChatMessageData | None) -> str:
        if message is None:
            return "-"
        when = parse_when(message.time)
        kind = message.kind
        key = f"ch.kind.{kind}"
        return self.L(
            "ch.msg",
            time=bj(when)[11:] if when is not None else "-",
            user=cut(message.user, 40),
            kind=self.L(key) if kind in ("comment", "gift", "order", "enter") else cut(kind, 20),
            text=cut(message.text, MAX_CHAT_TEXT),
        )


def _ms(value: object) -> str:
    ms = int_of(value)
    if ms is None:
        return "-"
    seconds, milli = divmod(ms, 1000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}.{milli // 100}"

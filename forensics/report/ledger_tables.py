"""The ledger as the report's tables: the process (every entry), the evidence list, derived
files with their transcripts, and the custody entries."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Spacer

from forensics.entries import text as str_of
from forensics.entry_data import Derived, ExportFailedData
from forensics.entry_data.derive import TRANSCRIPT
from forensics.report.fonts import HEX_FONT
from forensics.report.layout import CELL_LEADING, CELL_SIZE, FRAME_W, HEX_SIZE, StoryBuilder, wrap
from forensics.report.model import EvidenceRow
from forensics.report.narrative import (
    bj,
    category,
    cut,
    derived_kind,
    describe,
    size_text,
    utc,
)

TABLE_START_H = 140.0  # a section heading, a table header and a first row of two lines
MAX_TRANSCRIPT_BYTES = 64 * 1024
MAX_TRANSCRIPT_CHARS = 6000


class LedgerTables(StoryBuilder):
    """The process, evidence, derived-files and custody sections."""

    def process_section(self) -> None:
        self.h("sec.process")
        widths = [34, 92, 64, FRAME_W - 190]
        rows = []
        for rec in self.m.records:
            t = rec.when
            who = f"{rec.actor_name}\n{rec.actor_badge}"
            rows.append(
                [
                    f"#{rec.seq}",
                    f"{bj(t)}\n{utc(t, True)[11:]}" if t else "-",
                    wrap(who, CELL_SIZE, widths[2] - 6),
                    wrap(describe(self.lang, rec, self.m), CELL_SIZE, widths[3] - 6),
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("r.col_seq", "r.col_time", "r.col_actor", "r.col_what")],
                rows,
                widths,
            )
        )

    def evidence_section(self) -> None:
        self.h("sec.evidence")
        if not self.m.evidence:
            self.story.append(self.p(self.L("v.none")))
            return
        widths = [22, 104, 44, 50, 40, 32, FRAME_W - 292]
        rows = []
        for row in self.m.evidence:
            rows.append(
                [
                    str(row.no),
                    wrap(self.evidence_name(row), CELL_SIZE, widths[1] - 6),
                    wrap(category(self.lang, row.kind), CELL_SIZE, widths[2] - 6),
                    wrap(row.media_type, CELL_SIZE, widths[3] - 6),
                    size_text(row.size),
                    "SHA-256\nSM3",
                    f"{row.sha256}\n{row.sm3}",
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "v.col_no",
                        "v.col_name",
                        "v.col_cat",
                        "v.col_fmt",
                        "v.col_size",
                        "v.col_alg",
                        "v.col_value",
                    )
                ],
                rows,
                widths,
                [
                    ("FONTNAME", (6, 1), (6, -1), HEX_FONT),
                    ("FONTSIZE", (5, 1), (6, -1), HEX_SIZE),
                    ("LEADING", (5, 1), (6, -1), CELL_LEADING),
                    ("ALIGN", (4, 1), (4, -1), "RIGHT"),
                ],
            )
        )
        total = sum(r.size for r in self.m.evidence)
        self.story.append(Spacer(1, 3))
        self.story.append(
            self.p(self.L("v.total", len(self.m.evidence), size_text(total)), "small")
        )

    def evidence_name(self, row: EvidenceRow) -> str:
        text = f"{row.path}\n{self.L('v.entry', row.seq)}"
        proves = str_of(row.data.get("proves"))
        if proves:
            text += "\n" + self.L("v.proves", cut(proves, 300))
        return text

    def derived_section(self) -> None:
        # The heading with the table's header and first row (a path and a digest in two
        # lines): never a heading alone at the foot of a page.
        self.story.append(CondPageBreak(TABLE_START_H))
        self.h("sec.derived")
        derived = [r for r in self.m.evidence if r.kind == "derive"]
        if not derived:
            self.story.append(self.p(self.L("d.none")))
            return
        widths = [24, 120, 50, 170, FRAME_W - 364]
        rows = []
        for row in derived:
            d = Derived.from_json(row.data)
            parent_sha = d.parent.sha256
            parent = self.m.evidence_by_sha(parent_sha) if parent_sha else None
            parent_text = f"#{parent.no} {parent.path}" if parent else self.L("d.unknown_parent")
            rows.append(
                [
                    str(row.no),
                    wrap(row.path, CELL_SIZE, widths[1] - 6),
                    wrap(derived_kind(self.lang, d), CELL_SIZE, widths[2] - 6),
                    [self.p(parent_text, "cell"), self.hexp(parent_sha or "-")],
                    wrap(cut(d.reason or "-", 1000), CELL_SIZE, widths[4] - 6),
                ]
            )
        self.story.extend(
            self.table(
                [
                    self.L(k)
                    for k in (
                        "v.col_no",
                        "d.col_item",
                        "d.col_kind",
                        "d.col_parent",
                        "d.col_reason",
                    )
                ],
                rows,
                widths,
            )
        )
        for row in derived:
            if Derived.from_json(row.data).kind == TRANSCRIPT or row.media_type.startswith("text/"):
                self.transcript(row)

    def transcript(self, row: EvidenceRow) -> None:
        fp = self.source.open_sealed(row.item)
        if fp is None:
            return
        with fp:
            raw = fp.read(MAX_TRANSCRIPT_BYTES + 1)
        text = raw[:MAX_TRANSCRIPT_BYTES].decode("utf-8", errors="replace")
        truncated = len(raw) > MAX_TRANSCRIPT_BYTES or len(text) > MAX_TRANSCRIPT_CHARS
        text = text[:MAX_TRANSCRIPT_CHARS]
        self.h3(self.L("d.transcript", f"#{row.no} {row.path}"))
        self.story.append(self.p(text, "small"))
        if truncated:
            self.story.append(self.p(self.L("d.truncated"), "small"))

    def custody_section(self) -> None:
        self.story.append(CondPageBreak(TABLE_START_H))
        self.h("sec.custody")
        kinds = (
            "package.export", "custody.transfer", "custody.receive", "verify", "custody.report",
            "custody.access", "custody.deposit", "case.close",
        )  # fmt: skip
        records = [
            r
            for r in self.m.records
            if r.kind in kinds
            or (r.kind == "note" and ExportFailedData.from_json(r.data) is not None)
        ]
        if not records:
            self.story.append(self.p(self.L("u.none")))
            return
        widths = [34, 92, 64, FRAME_W - 190]
        rows = []
        for rec in records:
            t = rec.when
            rows.append(
                [
                    f"#{rec.seq}",
                    f"{bj(t)}\n{utc(t, True)[11:]}" if t else "-",
                    wrap(
                        f"{rec.actor_name}\n{rec.actor_badge}",
                        CELL_SIZE,
                        widths[2] - 6,
                    ),
                    wrap(describe(self.lang, rec, self.m), CELL_SIZE, widths[3] - 6),
                ]
            )
        self.story.extend(
            self.table(
                [self.L(k) for k in ("r.col_seq", "r.col_time", "r.col_actor", "u.col_action")],
                rows,
                widths,
            )
        )

"""The report's closing sections: how to verify it, the certificate fingerprints, the
officers' and the party's signature lines, and the generated-by line."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

import forensics
from forensics.report.fpview import fingerprint_notes, fingerprint_rows
from forensics.report.labels import label_list
from forensics.report.layout import FP_COL_W, FRAME_W, StoryBuilder, table_grid
from forensics.report.narrative import both, role_text
from forensics.report.tool import APP_NAME


class SignatureSections(StoryBuilder):
    """The verification steps and signatures sections."""

    def verify_section(self) -> None:
        self.h("sec.verify")
        for i, step in enumerate(label_list(self.lang, "y.steps"), 1):
            self.story.append(self.p(f"{i}. {step}"))
            self.story.append(Spacer(1, 2))

    def fingerprint_block(self) -> list[Any]:
        """Agency CA, officers' and TSA root certificates, as the verifier prints them."""
        fps = self.m.fingerprints
        head = [self.p(self.L("s.fp_title"), "h3"), self.p(self.L("s.fp_note"), "small")]
        head += [self.p(note, "note") for note in fingerprint_notes(self.lang, fps)]
        rows = fingerprint_rows(self.lang, fps)
        if not rows:
            return head
        data: list[list[Any]] = [
            [self.p(self.L("s.fp_col_cert"), "cell"), self.p(self.L("s.fp_col_sha"), "cell")]
        ]
        for row in rows:
            who = f"{row.title}\n{row.subject}" if row.subject else row.title
            data.append([self.p(who, "cell"), Paragraph("<br/>".join(row.lines), self.st["fp"])])
        t = Table(data, colWidths=[FRAME_W - FP_COL_W, FP_COL_W], repeatRows=1)
        t.setStyle(table_grid(True))
        return [*head, Spacer(1, 3), t, Spacer(1, 8)]

    def sign_section(self) -> None:
        self.h("sec.sign")
        # The fingerprints stay on the page the first officer signs: a signed page vouches
        # for them.
        first: list[Any] = [
            *self.fingerprint_block(),
            self.p(self.L("s.confirm")),
            Spacer(1, 6),
        ]
        for i, o in enumerate(self.m.officers):
            block = [
                self.p(
                    self.L(
                        "s.officer", role=role_text(self.lang, o.role), name=o.name, badge=o.badge
                    )
                ),
                self.hexp(self.L("s.key", o.key)),
                Spacer(1, 10),
                self.p(self.L("s.line")),
                Spacer(1, 10),
            ]
            if i == 0:
                block = [*first, *block]
            self.story.append(KeepTogether(block))
        if not self.m.officers:
            self.story.append(KeepTogether(first))
        meta = self.m.meta
        if meta.party_not_signed_reason:
            self.story.append(self.p(self.L("s.party_refused", meta.party_not_signed_reason)))
        else:
            self.story.append(
                KeepTogether(
                    [
                        self.p(self.L("s.party", meta.party or "")),
                        Spacer(1, 10),
                        self.p(self.L("s.line")),
                    ]
                )
            )
        self.story.append(Spacer(1, 12))
        self.story.append(
            self.p(
                self.L(
                    "doc.generated",
                    app=APP_NAME,
                    version=forensics.__version__,
                    time=both(self.now),
                ),
                "small",
            )
        )

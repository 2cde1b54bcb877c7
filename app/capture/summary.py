"""What a closed capture session reports: ``SessionSummary`` (its entries, error, stamps and
warnings) and the labels of the entry kinds it lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from forensics.errors import CaptureError
from forensics.ledger import Record
from forensics.stamping import StampOutcome

KIND_LABELS: Final = {
    "session.start": ("session started", "取证会话开始"),
    "session.end": ("session closed", "取证会话结束"),
    "env.check": ("clean-environment check", "清洁性检查"),
    "capture.screenshot": ("screenshot", "截图"),
    "capture.fullpage": ("full page", "整页截图"),
    "capture.snapshot": ("page snapshot", "网页快照"),
    "capture.video": ("screen recording segment", "录像分段"),
    "capture.traffic": ("network traffic (WARC)", "网络流量（WARC）"),
    "capture.recovered": ("recovered after a crash", "崩溃后恢复"),
    "mark": ("mark", "标记"),
    "note": ("note", "备注"),
}


@dataclass
class SessionSummary:
    session: str
    records: list[Record]
    error: CaptureError | None
    stamps: StampOutcome | None
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.records if r.kind == kind)

    def lines(self, lang: str = "en") -> list[str]:
        zh = lang.startswith("zh")
        out = []
        for r in self.records:
            en, zh_label = KIND_LABELS.get(r.kind, (r.kind, r.kind))
            items = ", ".join(f"{i.path} ({i.size} B, sha256:{i.sha256[:16]}…)" for i in r.items)
            label = f"{zh_label} {r.kind}" if zh else f"{en} ({r.kind})"
            out.append(f"  #{r.seq} {label}" + (f"  {items}" if items else ""))
        if self.stamps is not None:
            s = self.stamps
            out.append(
                f"  时间戳：已获取 {len(s.stamped)} 个，排队 {s.pending} 个"
                if zh
                else f"  time-stamps: {len(s.stamped)} obtained, {s.pending} queued"
            )
        return out

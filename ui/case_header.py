"""A case's header as rich text: number, title, cause, target, location, purpose, officers,
and where it stands (entries, sealed files, sessions, time-stamps waiting)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.desk.cases import CaseDetails
from ui.labels import status_label


def esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CaseHeader(QObject):
    def target_labels(self) -> dict[str, str]:
        return {
            "platform": self.tr("platform"),
            "shop": self.tr("shop"),
            "account": self.tr("account"),
            "room": self.tr("live room"),
            "url": self.tr("URL"),
        }

    def html(self, d: CaseDetails, *, title_size: int = 2) -> str:
        o = d.opened
        labels = self.target_labels()
        target = o.get("target") or {}
        target_text = "；".join(f"{labels.get(k, k)}：{v}" for k, v in target.items()) or "—"
        officers = "、".join(
            f"{x.name}（{x.badge}）{'★' if x.role == 'lead' else ''}" for x in d.officers
        )
        files = sum(len(r.items) for r in d.rows)
        sessions = sum(1 for r in d.rows if r.kind == "session.start")
        state = self.tr(
            "{0} · {1} entries · {2} sealed files · {3} session(s) · {4} waiting for a time-stamp"
        ).format(status_label(d.status), len(d.rows), files, sessions, d.pending_stamps)
        if d.open_sessions:
            state += " · " + self.tr("a session is still open")
        rows = [
            (self.tr("Cause"), o.get("cause", "")),
            (self.tr("Target"), target_text),
            (self.tr("Location"), o.get("location", "")),
            (self.tr("Purpose"), o.get("purpose", "")),
            (self.tr("Officers"), officers),
            (self.tr("State"), state),
        ]
        cells = "".join(
            f"<tr><td style='color:#555;padding-right:12px;white-space:nowrap'>{esc(k)}</td>"
            f"<td>{esc(v)}</td></tr>"
            for k, v in rows
        )
        training = self.tr(" (training case)") if d.training else ""
        return (
            f"<h{title_size} style='margin:0'>{esc(d.number)}　{esc(d.title)}{esc(training)}"
            f"</h{title_size}><table>{cells}</table>"
        )

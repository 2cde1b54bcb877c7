"""The clean-environment check as sealed (REQUIREMENTS §B): each part with its state, and
every warning with why it matters. The same view in the dialog shown before capture and
after the session, and in the case view for a sealed ``env.check`` entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.desk.timeline import offset_text
from forensics.entry_data import EnvCheckData
from forensics.entry_data.fields import integer, obj, text
from ui.labels import explanation
from ui.util import named

_MARKS = {"ok": "✓", "warning": "!", "unavailable": "?"}
SECTION_ORDER = (
    "system", "network", "egress", "dns", "resolution", "hosts", "proxy", "vpn",
    "processes", "browser_profile", "clock", "proxy_disclosure",
)  # fmt: skip


def clock_offset_us(data: Mapping[str, Any]) -> int | None:
    return integer(EnvCheckData.from_json(data).clock.get("offset_us"))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def env_check_html(data: Mapping[str, Any], lang: str, titles: Mapping[str, str]) -> str:
    """The sealed check as HTML: part, state and summary; warnings and what they mean."""
    zh = lang.startswith("zh")
    check = EnvCheckData.from_json(data)
    rows = []
    for name in SECTION_ORDER:
        part = check.section(name)
        if not part:
            continue
        status = text(part.get("status"))
        summary = text(obj(part.get("summary")).get("zh" if zh else "en"))
        colour = {"ok": "#1a7f37", "warning": "#b35c00"}.get(status, "#455a64")
        rows.append(
            f"<tr><td style='color:{colour}'>{_MARKS.get(status, '?')}</td>"
            f"<td><b>{_esc(titles.get(name, name))}</b></td><td>{_esc(str(summary))}</td></tr>"
        )
    out = ["<table cellspacing='4'>", *rows, "</table>"]
    if check.warnings:
        out.append(f"<h3>{_esc(titles['_warnings'])}</h3><ul>")
        for w in check.warnings:
            said = text(w.get("zh" if zh else "en"))
            out.append(
                f"<li><b>{_esc(said)}</b><br/><span style='color:#455a64'>"
                f"{_esc(explanation(text(w.get('section'))))}</span></li>"
            )
        out.append("</ul>")
    changes = check.changes or ()
    if check.phase == "after":
        out.append(f"<h3>{_esc(titles['_changes'])}</h3>")
        if changes:
            out.append("<ul>")
            out += [f"<li>{_esc(text(c.get('zh' if zh else 'en')))}</li>" for c in changes]
            out.append("</ul>")
        else:
            out.append(f"<p>{_esc(titles['_no_changes'])}</p>")
    return "".join(out)


class EnvCheckView(QWidget):
    """The check's summary line above the table of its parts and its warnings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = named(QLabel(), "summary")
        self.summary.setWordWrap(True)
        self.browser = named(QTextBrowser(), "details")
        self.browser.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.browser, 1)

    def show_check(self, data: Mapping[str, Any], seq: int, lang: str) -> None:
        n = len(EnvCheckData.from_json(data).warnings)
        offset = offset_text(clock_offset_us(data))
        self.summary.setText(
            self.tr("Sealed as ledger entry No. {0}. {1} warning(s). Clock offset: {2}.").format(
                seq, n, offset or self.tr("not measured")
            )
        )
        self.browser.setHtml(env_check_html(data, lang, self.titles()))

    def titles(self) -> dict[str, str]:
        return {
            "system": self.tr("System"),
            "network": self.tr("Local network"),
            "egress": self.tr("Public egress IP"),
            "dns": self.tr("DNS servers"),
            "resolution": self.tr("Target resolution"),
            "hosts": self.tr("Hosts file"),
            "proxy": self.tr("Proxy settings"),
            "vpn": self.tr("VPN"),
            "processes": self.tr("Processes"),
            "browser_profile": self.tr("Browser profile"),
            "clock": self.tr("Clock"),
            "proxy_disclosure": self.tr("Recording proxy"),
            "_warnings": self.tr("Warnings and what they mean"),
            "_changes": self.tr("Changes since the check before capture"),
            "_no_changes": self.tr("No changes."),
        }

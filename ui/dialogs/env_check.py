"""The clean-environment check as sealed (REQUIREMENTS §B): each part with its state, and
every warning with why it matters. Shown before capture starts, and after the session
with the changes found by the re-check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.desk.timeline import offset_text
from ui.labels import explanation

_MARKS = {"ok": "✓", "warning": "!", "unavailable": "?"}
SECTION_ORDER = (
    "system", "network", "egress", "dns", "resolution", "hosts", "proxy", "vpn",
    "processes", "browser_profile", "clock", "proxy_disclosure",
)  # fmt: skip


def clock_offset_us(data: Mapping[str, Any]) -> int | None:
    clock = (data.get("snapshot") or {}).get("clock") or {}
    value = clock.get("offset_us")
    return value if isinstance(value, int) else None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def env_check_html(data: Mapping[str, Any], lang: str, titles: Mapping[str, str]) -> str:
    """The sealed check as HTML: part, state and summary; warnings and what they mean."""
    zh = lang.startswith("zh")
    snap = data.get("snapshot") or {}
    rows = []
    for name in SECTION_ORDER:
        part = snap.get(name)
        if not isinstance(part, dict):
            continue
        status = str(part.get("status", ""))
        summary = (part.get("summary") or {}).get("zh" if zh else "en", "")
        colour = {"ok": "#1a7f37", "warning": "#b35c00"}.get(status, "#455a64")
        rows.append(
            f"<tr><td style='color:{colour}'>{_MARKS.get(status, '?')}</td>"
            f"<td><b>{_esc(titles.get(name, name))}</b></td><td>{_esc(str(summary))}</td></tr>"
        )
    out = ["<table cellspacing='4'>", *rows, "</table>"]
    warnings = data.get("warnings") or []
    if warnings:
        out.append(f"<h3>{_esc(titles['_warnings'])}</h3><ul>")
        for w in warnings:
            text = str(w.get("zh" if zh else "en", ""))
            out.append(
                f"<li><b>{_esc(text)}</b><br/><span style='color:#455a64'>"
                f"{_esc(explanation(str(w.get('section', ''))))}</span></li>"
            )
        out.append("</ul>")
    changes = data.get("changes") or []
    if data.get("phase") == "after":
        out.append(f"<h3>{_esc(titles['_changes'])}</h3>")
        if changes:
            out.append("<ul>")
            out += [f"<li>{_esc(str(c.get('zh' if zh else 'en', '')))}</li>" for c in changes]
            out.append("</ul>")
        else:
            out.append(f"<p>{_esc(titles['_no_changes'])}</p>")
    return "".join(out)


class EnvCheckDialog(QDialog):
    def __init__(
        self,
        data: Mapping[str, Any],
        seq: int,
        lang: str,
        parent: QWidget | None = None,
        *,
        proceed_text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("envCheckDialog")
        after = data.get("phase") == "after"
        self.setWindowTitle(
            self.tr("Clean-environment check after capture")
            if after
            else self.tr("Clean-environment check before capture")
        )
        n = len(data.get("warnings") or [])
        offset = offset_text(clock_offset_us(data))
        head = QLabel(
            self.tr("Sealed as ledger entry No. {0}. {1} warning(s). Clock offset: {2}.").format(
                seq, n, offset or self.tr("not measured")
            )
        )
        head.setObjectName("summary")
        head.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("details")
        self.browser.setOpenLinks(False)
        self.browser.setHtml(env_check_html(data, lang, self.titles()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        if proceed_text:
            buttons.button(QDialogButtonBox.StandardButton.Ok).setText(proceed_text)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

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

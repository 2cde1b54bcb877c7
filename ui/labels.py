"""Translated names of the core's codes: ledger kinds, statuses, stamp states, sections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QCoreApplication

from forensics.entry_data import PageData


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate in ``context`` (Qt's own is typed ``object``)."""
    return text


KINDS: Final[dict[str, str]] = {
    "case.open": QT_TRANSLATE_NOOP("Kinds", "case opened"),
    "officer.add": QT_TRANSLATE_NOOP("Kinds", "officer added"),
    "env.check": QT_TRANSLATE_NOOP("Kinds", "clean-environment check"),
    "session.start": QT_TRANSLATE_NOOP("Kinds", "session started"),
    "session.end": QT_TRANSLATE_NOOP("Kinds", "session closed"),
    "capture.screenshot": QT_TRANSLATE_NOOP("Kinds", "screenshot"),
    "capture.fullpage": QT_TRANSLATE_NOOP("Kinds", "full-page screenshot"),
    "capture.snapshot": QT_TRANSLATE_NOOP("Kinds", "page snapshot"),
    "capture.video": QT_TRANSLATE_NOOP("Kinds", "screen recording"),
    "capture.stream": QT_TRANSLATE_NOOP("Kinds", "live-stream data"),
    "capture.chat": QT_TRANSLATE_NOOP("Kinds", "live-room chat"),
    "capture.traffic": QT_TRANSLATE_NOOP("Kinds", "network traffic (WARC)"),
    "capture.recovered": QT_TRANSLATE_NOOP("Kinds", "recovered after a crash"),
    "mark": QT_TRANSLATE_NOOP("Kinds", "mark"),
    "note": QT_TRANSLATE_NOOP("Kinds", "note"),
    "import.file": QT_TRANSLATE_NOOP("Kinds", "imported file"),
    "derive": QT_TRANSLATE_NOOP("Kinds", "derived item"),
    "timestamp": QT_TRANSLATE_NOOP("Kinds", "time-stamp token"),
    "package.export": QT_TRANSLATE_NOOP("Kinds", "package exported"),
    "custody.transfer": QT_TRANSLATE_NOOP("Kinds", "custody transfer"),
    "custody.receive": QT_TRANSLATE_NOOP("Kinds", "custody receipt"),
    "verify": QT_TRANSLATE_NOOP("Kinds", "verification"),
    "custody.report": QT_TRANSLATE_NOOP("Kinds", "report made"),
    "custody.access": QT_TRANSLATE_NOOP("Kinds", "evidence viewed"),
    "custody.deposit": QT_TRANSLATE_NOOP("Kinds", "deposited in the vault"),
    "case.close": QT_TRANSLATE_NOOP("Kinds", "case closed"),
}
# A screenshot of a chosen area (its data names the ``area``), not of the whole view.
AREA_SCREENSHOT: Final[str] = QT_TRANSLATE_NOOP("Kinds", "area screenshot")

STATUSES: Final[dict[str, str]] = {
    "open": QT_TRANSLATE_NOOP("Status", "open"),
    "closed": QT_TRANSLATE_NOOP("Status", "closed"),
    "received": QT_TRANSLATE_NOOP("Status", "received"),
    "unreadable": QT_TRANSLATE_NOOP("Status", "unreadable"),
}

STAMPS: Final[dict[str, str]] = {
    "stamped": QT_TRANSLATE_NOOP("Stamp", "stamped"),
    "queued": QT_TRANSLATE_NOOP("Stamp", "queued"),
    "none": QT_TRANSLATE_NOOP("Stamp", "—"),
}

SEVERITIES: Final[dict[str, str]] = {
    "error": QT_TRANSLATE_NOOP("Severity", "error"),
    "untrusted": QT_TRANSLATE_NOOP("Severity", "trust not established"),
    "unchecked": QT_TRANSLATE_NOOP("Severity", "not checked"),
    "warning": QT_TRANSLATE_NOOP("Severity", "warning"),
    "info": QT_TRANSLATE_NOOP("Severity", "info"),
}

# Why a clean-environment warning matters, per section of the check (REQUIREMENTS §B).
EXPLANATIONS: Final[dict[str, str]] = {
    "proxy": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "A proxy other than Quzheng's recording proxy is set in the system or browser. Traffic could pass through a machine nobody recorded. Turn it off, or write down why it is needed.",
    ),
    "hosts": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "The hosts file maps names to fixed addresses. An entry for the target could show a different server than the public one. Check that no entry concerns the target.",
    ),
    "clock": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "The computer's clock differs from standard time (or could not be checked). Sealed times are kept as measured; the report prints the offset beside them. Time-stamps come from the TSA, not from this clock.",
    ),
    "vpn": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "A VPN changes the network path and the public address the target sees. Turn it off unless the case needs it, and note why.",
    ),
    "dns": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "Unusual DNS servers can answer with other addresses than the public ones. The target's resolution is recorded so a reviewer can compare.",
    ),
    "resolution": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "The target's name did not resolve as expected. The addresses actually used are recorded from the traffic.",
    ),
    "processes": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "Programs that can change web traffic or the screen (other proxies, packet tools) are running. Close them, or note why they are needed.",
    ),
    "egress": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "The public egress address could not be confirmed by an independent service. The record says so; the session can go on.",
    ),
    "browser_profile": QT_TRANSLATE_NOOP(
        "EnvExplain",
        "The browser profile was not fresh. A session needs an empty profile so no earlier cookies or cache take part.",
    ),
}
EXPLAIN_OTHER: Final[str] = QT_TRANSLATE_NOOP(
    "EnvExplain",
    "Read the finding; it is sealed with the check and printed in the report.",
)


def kind_label(kind: str) -> str:
    source = KINDS.get(kind)
    return QCoreApplication.translate("Kinds", source) if source else kind


def entry_kind_label(kind: str, data: Mapping[str, Any]) -> str:
    """What an entry is, as its data tells it apart (an area screenshot is not a
    screenshot of the whole view)."""
    if kind == "capture.screenshot" and PageData.from_json(data).area is not None:
        return QCoreApplication.translate("Kinds", AREA_SCREENSHOT)
    return kind_label(kind)


def status_label(status: str) -> str:
    source = STATUSES.get(status)
    return QCoreApplication.translate("Status", source) if source else status


def stamp_label(state: str) -> str:
    source = STAMPS.get(state)
    return QCoreApplication.translate("Stamp", source) if source else state


def severity_label(severity: str) -> str:
    source = SEVERITIES.get(severity)
    return QCoreApplication.translate("Severity", source) if source else severity


def explanation(section: str) -> str:
    return QCoreApplication.translate("EnvExplain", EXPLANATIONS.get(section, EXPLAIN_OTHER))

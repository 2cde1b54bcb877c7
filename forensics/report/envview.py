"""How the report reads an ``env.check`` entry (forensics.environment's sealed snapshot).

The entry's data is ``{"phase", "snapshot": {section: {...}}, "warnings", "changes"}``;
older or hand-made entries may be flat. ``flat_view`` gives the report one shape for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forensics.report.labels import field_name, status_name


def snapshot_of(data: Mapping[str, Any]) -> dict[str, Any] | None:
    snap = data.get("snapshot")
    return snap if isinstance(snap, dict) else None


def flat_view(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The keys the report's summary rows look for, taken from the snapshot's sections."""
    snap = snapshot_of(data)
    if snap is None:
        return data

    def get(section: str, key: str) -> Any:
        sec = snap.get(section)
        return sec.get(key) if isinstance(sec, dict) else None

    return {
        "phase": data.get("phase"),
        "clock": snap.get("clock") if isinstance(snap.get("clock"), dict) else {},
        "public_ip": get("egress", "egress_ip"),
        "local_ips": get("network", "local_ips"),
        "dns_servers": get("dns", "dns_servers"),
        "hostname": get("system", "hostname"),
        "os": " ".join(str(x) for x in (get("system", "os"), get("system", "os_version")) if x),
        "proxy": get("proxy", "active"),
        "vpn": get("vpn", "active"),
    }


def sections(data: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """One line per checked section: status and summary, then its warnings."""
    snap = snapshot_of(data)
    if snap is None:
        return []
    zh = lang.startswith("zh")
    out = []
    for name, sec in snap.items():
        if not isinstance(sec, dict) or "status" not in sec:
            continue
        summary = sec.get("summary")
        text = summary.get("zh" if zh else "en", "") if isinstance(summary, dict) else ""
        status = status_name(lang, str(sec.get("status")))
        lines = [f"【{status}】{text}" if zh else f"[{status}] {text}"]
        for r in sec.get("reasons", []) if isinstance(sec.get("reasons"), list) else []:
            if isinstance(r, dict) and r.get("warning"):
                lines.append("! " + str(r.get("zh" if zh else "en", "")))
        out.append((field_name(lang, str(name)), "\n".join(lines)))
    return out


def changes(data: Mapping[str, Any], lang: str) -> list[tuple[str, bool]] | None:
    """The before/after differences an ``after`` check recorded, each with whether it was a
    real change (True) or a section that could not be compared (False); None if not recorded.
    """
    raw = data.get("changes")
    if not isinstance(raw, list):
        return None
    key = "zh" if lang.startswith("zh") else "en"
    return [
        (str(c.get(key, "")), c.get("comparable", True) is not False)
        for c in raw
        if isinstance(c, dict)
    ]

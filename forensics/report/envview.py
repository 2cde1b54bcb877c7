"""How the report reads an ``env.check`` entry (forensics.environment's sealed snapshot).

The entry's data is ``EnvCheckData`` (``{"phase", "snapshot": {section: {...}},
"warnings", "changes"}``); hand-made entries (tests/forensics/report/builders.py) may be
flat, which no producer writes. ``flat_view`` gives the report one shape for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forensics.entry_data import EnvCheckData
from forensics.report.labels import field_name, status_name


def snapshot_of(data: Mapping[str, Any]) -> dict[str, Any] | None:
    return EnvCheckData.from_json(data).snapshot or None


def flat_view(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The keys the report's summary rows look for, taken from the snapshot's sections."""
    check = EnvCheckData.from_json(data)
    if not check.snapshot:
        return data

    def get(section: str, key: str) -> Any:
        return check.section(section).get(key)

    return {
        "phase": check.phase,
        "clock": dict(check.clock),
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
    snap = EnvCheckData.from_json(data).snapshot
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
    recorded = EnvCheckData.from_json(data).changes
    if recorded is None:
        return None
    key = "zh" if lang.startswith("zh") else "en"
    return [(str(c.get(key, "")), c.get("comparable", True) is not False) for c in recorded]

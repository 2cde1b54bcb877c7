"""Before and after capture (REQUIREMENTS §B4): what changed between two checks.

Works on the snapshots' JSON as read back from the ledger, so an expert can repeat the
comparison from a package alone. An aspect that one side could not check is listed as
"not comparable" rather than passed over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from forensics.environment.model import OK, WARNING
from forensics.environment.snapshot import EnvSnapshot
from forensics.timestamp.sntp import DEFAULT_WARN_THRESHOLD_MS


@dataclass(frozen=True)
class Change:
    """One difference between the check before capture and the one after it.

    ``comparable`` is False when one side could not be checked: that is recorded too,
    since it means the comparison could not vouch for that aspect.
    """

    subject: str  # proxy | hosts | dns | resolution:<host> | egress_ip | clock | vpn
    before: Any
    after: Any
    en: str
    zh: str
    comparable: bool = True

    def text(self, lang: str = "en") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "before": self.before,
            "after": self.after,
            "comparable": self.comparable,
            "en": self.en,
            "zh": self.zh,
        }


def _section(snap: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    sec = snap.get(name)
    if not isinstance(sec, Mapping) or sec.get("status") not in (OK, WARNING):
        return None
    return sec


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, Mapping):
        out: dict[str, str] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: str(value)}


def _show(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _proxy_text(before: Any, after: Any) -> tuple[str, str]:
    b, a = _flat(before), _flat(after)
    diffs = [
        f"{k}: {b.get(k, '(unset)')} → {a.get(k, '(unset)')}"
        for k in sorted(set(b) | set(a))
        if b.get(k) != a.get(k)
    ]
    shown = "; ".join(diffs)
    return f"proxy settings changed: {shown}", f"代理设置发生变化：{shown}"


def _hosts_text(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, str]:
    def entries(rows: Any) -> set[str]:
        return {
            f"{e.get('ip')} {' '.join(_strings(e.get('names'), keep_order=True))}"
            for e in (rows if isinstance(rows, list) else [])
            if isinstance(e, Mapping)
        }

    b, a = before["sha256"] or "(no file)", after["sha256"] or "(no file)"
    added = sorted(entries(after["entries"]) - entries(before["entries"]))[:5]
    removed = sorted(entries(before["entries"]) - entries(after["entries"]))[:5]
    en = f"hosts file changed: SHA-256 {b} → {a}"
    zh = f"hosts 文件发生变化：SHA-256 {b} → {a}"
    if added:
        en, zh = en + f"; added: {' | '.join(added)}", zh + f"；新增：{' | '.join(added)}"
    if removed:
        en, zh = en + f"; removed: {' | '.join(removed)}", zh + f"；删除：{' | '.join(removed)}"
    return en, zh


def _seconds(us: int) -> str:
    return f"{us / 1_000_000:+.3f} s"


def _strings(value: Any, *, keep_order: bool = False) -> list[str]:
    """The strings of a JSON list (anything else: none)."""
    out = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    return out if keep_order else sorted(out)


def _vpn_up(section: Mapping[str, Any]) -> list[str]:
    rows = section.get("interfaces")
    return sorted(
        str(i.get("name"))
        for i in (rows if isinstance(rows, list) else [])
        if isinstance(i, Mapping) and i.get("up") is True
    )


def _changed(en: str, zh: str) -> Callable[[Any, Any], tuple[str, str]]:
    return lambda b, a: (
        f"{en} changed: {_show(b)} → {_show(a)}",
        f"{zh}发生变化：{_show(b)} → {_show(a)}",
    )


def compare(
    before: EnvSnapshot | Mapping[str, Any],
    after: EnvSnapshot | Mapping[str, Any],
    *,
    clock_threshold_ms: int | None = None,
) -> list[Change]:
    """What changed between two checks: proxy settings, hosts file, DNS servers, target
    resolutions, egress IP, VPN state, and the clock offset when it moved by more than the
    threshold (default: the before-check's warning threshold). Accepts snapshots or their
    JSON (as read back from the ledger); never raises on a malformed one."""
    b = before.to_json() if isinstance(before, EnvSnapshot) else before
    a = after.to_json() if isinstance(after, EnvSnapshot) else after
    if not isinstance(b, Mapping) or not isinstance(a, Mapping):
        return []
    changes: list[Change] = []

    def aspect(
        subject: str,
        section: str,
        names: tuple[str, str],
        value: Callable[[Mapping[str, Any]], Any],
        describe: Callable[[Any, Any], tuple[str, str]],
        differs: Callable[[Any, Any], bool] = lambda x, y: bool(x != y),
        recorded: Callable[[Any], Any] = lambda v: v,
    ) -> None:
        en, zh = names
        bs, as_ = _section(b, section), _section(a, section)
        if bs is None or as_ is None:
            when_en, when_zh = (
                ("before and after", "前后均")
                if bs is None and as_ is None
                else (("before", "前") if bs is None else ("after", "后"))
            )
            changes.append(
                Change(
                    subject, None, None,
                    f"{en} could not be compared: not checked {when_en} capture",
                    f"{zh}无法比对：取证{when_zh}未能检查",
                    comparable=False,
                )
            )  # fmt: skip
            return
        try:
            bv, av = value(bs), value(as_)
            if differs(bv, av):
                changes.append(Change(subject, recorded(bv), recorded(av), *describe(bv, av)))
        except (TypeError, ValueError, AttributeError):  # a malformed record from a package
            changes.append(
                Change(
                    subject, None, None,
                    f"{en} could not be compared: the record is malformed",
                    f"{zh}无法比对：记录格式错误",
                    comparable=False,
                )
            )  # fmt: skip

    def proxy_value(s: Mapping[str, Any]) -> dict[str, Any]:
        return {"env": s.get("env") or {}, "os": s.get("os") or {}}

    def hosts_value(s: Mapping[str, Any]) -> dict[str, Any]:
        return {"sha256": s.get("sha256"), "entries": s.get("entries")}

    aspect("proxy", "proxy", ("proxy settings", "代理设置"), proxy_value, _proxy_text)
    aspect(
        "hosts", "hosts", ("the hosts file", "hosts 文件"), hosts_value, _hosts_text,
        lambda x, y: bool(x["sha256"] != y["sha256"]),
        lambda v: v["sha256"],  # the entries are in the snapshots; the change names the hash
    )  # fmt: skip
    aspect(
        "dns", "dns", ("DNS servers", "DNS 服务器"),
        lambda s: _strings(s.get("dns_servers"), keep_order=True),
        _changed("DNS servers", "DNS 服务器"),
    )  # fmt: skip
    bres, ares = _section(b, "resolution"), _section(a, "resolution")
    bmap = bres.get("resolutions") if bres is not None else None
    amap = ares.get("resolutions") if ares is not None else None
    if isinstance(bmap, Mapping) and isinstance(amap, Mapping):
        for host in [h for h in bmap if h in amap]:
            bh, ah = bmap[host], amap[host]
            bips = _strings(bh.get("ips")) if isinstance(bh, Mapping) else []
            aips = _strings(ah.get("ips")) if isinstance(ah, Mapping) else []
            if bips != aips:
                en, zh = _changed(f"the resolution of {host}", f"{host} 的解析结果")(bips, aips)
                changes.append(Change(f"resolution:{host}", bips, aips, en, zh))
    aspect(
        "egress_ip", "egress", ("the egress IP", "出口 IP"),
        lambda s: _strings(s.get("egress_ips")),
        _changed("public egress IP", "公网出口 IP"),
    )  # fmt: skip
    aspect(
        "vpn", "vpn", ("the VPN state", "VPN 状态"), _vpn_up,
        _changed("VPN interfaces up", "已启用的 VPN 接口"),
    )  # fmt: skip
    threshold = clock_threshold_ms or (_section(b, "clock") or {}).get("warn_threshold_ms")
    limit_us = (threshold if isinstance(threshold, int) else DEFAULT_WARN_THRESHOLD_MS) * 1000

    def clock_moved(x: Any, y: Any) -> bool:
        return isinstance(x, int) and isinstance(y, int) and abs(y - x) > limit_us

    def clock_text(x: int, y: int) -> tuple[str, str]:
        moved, was, now = _seconds(y - x), _seconds(x), _seconds(y)
        return (
            f"clock offset moved by {moved} ({was} → {now}), more than {limit_us // 1000} ms",
            f"时钟偏差变化 {moved}（{was} → {now}），超过 {limit_us // 1000} 毫秒",
        )

    aspect(
        "clock", "clock", ("the clock offset", "时钟偏差"),
        lambda s: s.get("offset_us"), clock_text, clock_moved,
    )  # fmt: skip
    return changes

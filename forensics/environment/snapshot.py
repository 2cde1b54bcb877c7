"""The snapshot of the capture environment (REQUIREMENTS §B1–B3) and the before/after
comparison (§B4).

``snapshot()`` runs every sub-check and never raises for what it finds on the machine: a
sub-check that cannot be made is recorded as "unavailable" with the reason. Network-bound
sub-checks (egress IP, clock, target resolution) run in parallel, so the whole check takes
about ``timeout`` seconds at worst plus name resolution.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from forensics.canonical import canonical_bytes, format_time
from forensics.environment.host import (
    browser_profile_check,
    capture_browser_check,
    list_interfaces,
    list_processes,
    network_check,
    process_check,
    system_check,
    vpn_check,
)
from forensics.environment.model import (
    OK,
    UNAVAILABLE,
    WARNING,
    Check,
    CommandRunner,
    Interface,
    InterfaceLister,
    ProcessLister,
    Reason,
    Resolver,
    unavailable,
)
from forensics.environment.net import (
    RESOLV_CONF,
    default_hosts_path,
    dns_check,
    egress_check,
    hosts_check,
    resolution_check,
)
from forensics.environment.proxy import ETC_ENVIRONMENT, proxy_check, run_command
from forensics.timestamp.sntp import DEFAULT_WARN_THRESHOLD_MS, ClockCheck, check_clock

SNAPSHOT_FORMAT: Final = 1

# Section name → (English title, Chinese title), in the order they are recorded and shown.
SECTIONS: Final = {
    "system": ("System", "系统"),
    "network": ("Local network", "本机网络"),
    "egress": ("Public egress IP", "公网出口 IP"),
    "dns": ("DNS servers", "DNS 服务器"),
    "resolution": ("Target resolution", "目标域名解析"),
    "hosts": ("Hosts file", "hosts 文件"),
    "proxy": ("Proxy settings", "代理设置"),
    "vpn": ("VPN", "VPN"),
    "processes": ("Processes", "运行进程"),
    "capture_browser": ("Capture browser", "取证浏览器"),
    "browser_profile": ("Browser profile", "浏览器配置"),
    "clock": ("Clock", "时钟"),
    "proxy_disclosure": ("Recording proxy", "取证代理"),
}
_MARK: Final = {OK: "✓", WARNING: "!", UNAVAILABLE: "?"}


@dataclass(frozen=True)
class EnvSnapshot:
    """One clean-environment check: every sub-check, in ``SECTIONS`` order."""

    taken_at: datetime
    targets: tuple[str, ...]
    checks: tuple[Check, ...]
    clock: ClockCheck | None = None

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    @property
    def warnings(self) -> list[tuple[str, Reason]]:
        """(section, finding) for every finding a person should look at."""
        return [(c.name, r) for c in self.checks for r in c.warnings]

    def warnings_json(self) -> list[dict[str, Any]]:
        return [{"section": s, "code": r.code, "en": r.en, "zh": r.zh} for s, r in self.warnings]

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-safe: strings, integers, booleans, lists, dicts and null only."""
        return {
            "format": SNAPSHOT_FORMAT,
            "taken_at": format_time(self.taken_at),
            "targets": list(self.targets),
            **{c.name: c.to_json() for c in self.checks},
            "warnings": self.warnings_json(),
        }

    def lines(self, lang: str = "en") -> list[str]:
        """A readable summary: one line per sub-check, its findings indented below."""
        zh = lang.startswith("zh")
        out = []
        for c in self.checks:
            en_title, zh_title = SECTIONS.get(c.name, (c.name, c.name))
            title = zh_title if zh else en_title
            summary = c.summary(lang)
            out.append(f"[{_MARK[c.status]}] {title}{'：' if zh else ': '}{summary}")
            out += [
                f"      {'!' if r.warning else '·'} {r.text(lang)}"
                for r in c.reasons
                if r.text(lang) not in summary  # an unavailable check's one reason
            ]
        return out


# -- sections made here: the clock and the recording proxy's disclosure ------------------


def clock_section(check: ClockCheck) -> Check:
    data = check.to_json()
    # The section's own status is ok/warning/unavailable; keep the clock check's verdict.
    data["clock_status"] = data.pop("status")
    # The report reads these three names.
    data["server"] = data["best_server"]
    data["rtt_us"] = data["round_trip_us"]
    notes = tuple(
        Reason(
            f"ntp-{s.error_code}",
            f"time server {s.server} gave no answer: {s.error}",
            f"时间服务器 {s.server} 无结果：{s.error}",
            warning=False,
        )
        for s in check.servers
        if not s.reachable
    )
    en, zh = check.summary("en"), check.summary("zh")
    if not check.servers:
        en, zh = "no time server configured", "未配置时间服务器"
    if not check.reachable:
        return Check(
            "clock",
            data,
            f"not checked: {en}",
            f"未检查：{zh}",
            (Reason("clock-unchecked", en, zh), *notes),
            available=False,
        )
    if check.warning:
        return Check("clock", data, en, zh, (Reason("clock-offset", en, zh), *notes))
    return Check("clock", data, en, zh, notes)


def _listen_host(listen: Any) -> str | None:
    """The host of "127.0.0.1:8080", "[::1]:8080", {"host": …} or ["127.0.0.1", 8080]."""
    if isinstance(listen, Mapping):
        listen = listen.get("host")
    elif isinstance(listen, list | tuple) and listen:
        listen = listen[0]
    if not isinstance(listen, str) or not listen:
        return None
    if listen.startswith("["):
        return listen[1:].partition("]")[0]
    return listen.rpartition(":")[0] if listen.count(":") == 1 else listen


def _is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def disclosure_section(disclosure: Mapping[str, Any] | None, proxy: Check) -> Check:
    if disclosure is None:
        return unavailable(
            "proxy_disclosure",
            "not-given",
            "no recording proxy running at this check",
            "本次检查时取证代理未运行",
            warning=False,
        )
    listen = disclosure.get("listen", disclosure.get("listen_address"))
    host = _listen_host(listen)
    loopback = host is not None and _is_loopback_host(host)
    other_proxy = proxy.status != UNAVAILABLE and proxy.data.get("active") is True
    data = {
        "disclosed": dict(disclosure),
        "listen_host": host,
        "listen_loopback": loopback,
        "only_proxy": not other_proxy,
    }
    reasons = []
    if host is None:
        reasons.append(
            Reason(
                "proxy-listen-unknown",
                "the recording proxy's listen address is not disclosed",
                "取证代理未披露监听地址",
            )
        )
    elif not loopback:
        reasons.append(
            Reason(
                "proxy-listen-not-loopback",
                f"the recording proxy listens on {listen}, not on loopback only",
                f"取证代理监听于 {listen}，不是仅限本机回环地址",
            )
        )
    if disclosure.get("modifies_traffic") is True:
        reasons.append(
            Reason(
                "proxy-modifies-traffic",
                "the recording proxy's addons declare that they modify traffic",
                "取证代理的插件声明会修改流量",
            )
        )
    if other_proxy:
        reasons.append(
            Reason(
                "proxy-not-only",
                "another proxy is configured besides the recording proxy",
                "除取证代理外还配置了其他代理",
            )
        )
    version = disclosure.get("mitmproxy") or disclosure.get("version") or "?"
    return Check(
        "proxy_disclosure",
        data,
        f"mitmproxy {version} listening on {listen}",
        f"mitmproxy {version}，监听 {listen}",
        tuple(reasons),
    )


# -- the snapshot ------------------------------------------------------------------------


def _guarded(name: str, probe: Callable[[], Check]) -> Check:
    """Run one sub-check; whatever goes wrong is recorded, and the others still run."""
    try:
        return probe()
    except ImportError as exc:
        missing = exc.name or str(exc)
        return unavailable(
            name, "module-missing", f"{missing} is not installed", f"未安装 {missing}"
        )
    except Exception as exc:  # the last net: one failing probe must not lose the others
        text = f"{type(exc).__name__}: {exc}"
        return unavailable(
            name, "probe-failed", f"the check failed ({text})", f"检查出错（{text}）"
        )


def snapshot(
    targets: Sequence[str] = (),
    *,
    ntp_servers: Sequence[str],
    echo_urls: Sequence[str] = (),
    browser_profile: Path | None = None,
    capture_browser: Mapping[str, Any] | None = None,
    proxy_disclosure: Mapping[str, Any] | None = None,
    resolver: Resolver | None = None,
    practice_domain: str | None = None,
    now: Callable[[], float] = time.time,
    timeout: float = 3.0,
    hosts_path: Path | None = None,
    resolv_conf: Path = RESOLV_CONF,
    etc_environment: Path = ETC_ENVIRONMENT,
    environ: Mapping[str, str] | None = None,
    processes: ProcessLister | None = None,
    interfaces: InterfaceLister | None = None,
    run: CommandRunner | None = None,
    clock_warn_ms: int = DEFAULT_WARN_THRESHOLD_MS,
) -> EnvSnapshot:
    """Check the capture environment. ``targets`` are the URLs (or host names) to be
    captured; ``now`` is the local clock under test (seconds since the epoch).

    The keyword arguments after ``timeout`` are the edges of the outside world, for tests
    and for other platforms: where the hosts file, resolv.conf and /etc/environment are,
    the environment variables, and how processes, interfaces and commands are listed or run.
    """
    if proxy_disclosure is not None:
        canonical_bytes(dict(proxy_disclosure))  # InputError now, not at sealing time
    taken_at = datetime.fromtimestamp(now(), UTC)
    targets = (targets,) if isinstance(targets, str) else tuple(targets)
    runner = run or run_command
    cache: list[list[Interface]] = []

    def ifaces() -> list[Interface]:
        if not cache:
            cache.append(list((interfaces or list_interfaces)()))
        return cache[0]

    clock_result: list[ClockCheck] = []

    def clock() -> Check:
        clock_result.append(check_clock(ntp_servers, timeout, now, warn_threshold_ms=clock_warn_ms))
        return clock_section(clock_result[0])

    with ThreadPoolExecutor(max_workers=3) as pool:
        remote = {
            "egress": pool.submit(_guarded, "egress", lambda: egress_check(echo_urls, timeout)),
            "resolution": pool.submit(
                _guarded, "resolution", lambda: resolution_check(targets, resolver, practice_domain)
            ),
            "clock": pool.submit(_guarded, "clock", clock),
        }
        local = {
            "system": _guarded("system", system_check),
            "network": _guarded("network", lambda: network_check(ifaces())),
            "dns": _guarded("dns", lambda: dns_check(resolv_conf)),
            "hosts": _guarded(
                "hosts", lambda: hosts_check(hosts_path or default_hosts_path(), targets)
            ),
            "proxy": _guarded(
                "proxy",
                lambda: proxy_check(
                    os.environ if environ is None else environ, runner, timeout, etc_environment
                ),
            ),
            "vpn": _guarded("vpn", lambda: vpn_check(ifaces())),
            "processes": _guarded(
                "processes", lambda: process_check((processes or list_processes)())
            ),
            "browser_profile": _guarded(
                "browser_profile", lambda: browser_profile_check(browser_profile, now())
            ),
            "capture_browser": _guarded(
                "capture_browser",
                lambda: capture_browser_check(capture_browser, browser_profile),
            ),
        }
        done = {name: future.result() for name, future in remote.items()}
    proxy = local["proxy"]
    done["proxy_disclosure"] = _guarded(
        "proxy_disclosure", lambda: disclosure_section(proxy_disclosure, proxy)
    )
    by_name = {**local, **done}
    return EnvSnapshot(
        taken_at=taken_at,
        targets=targets,
        checks=tuple(by_name[name] for name in SECTIONS),
        clock=clock_result[0] if clock_result else None,
    )

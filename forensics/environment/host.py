"""Sub-checks of the machine itself: system, network interfaces, VPN, processes, and the
browser profile.

What they trust: the operating system's own account of itself (psutil, /proc, platform).
A tool that hides from the process list is not found here; the check records what the
system reported, which is what an expert can later compare against.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import platform
import re
import socket
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from forensics import __version__
from forensics.canonical import format_time
from forensics.environment.model import Check, Interface, Proc, Reason, unavailable
from forensics.errors import os_reason

# -- system ------------------------------------------------------------------------------


def _os_name() -> tuple[str, str]:
    """A readable OS name and its version, best effort per platform."""
    if sys.platform == "win32":
        release, version, _, _ = platform.win32_ver()
        return f"Windows {release}".strip(), version
    if sys.platform == "darwin":
        version = platform.mac_ver()[0]
        return f"macOS {version}".strip(), version
    try:
        info = platform.freedesktop_os_release()
    except OSError:
        return platform.system() or sys.platform, ""
    name = info.get("PRETTY_NAME") or info.get("NAME") or platform.system()
    return name, info.get("VERSION_ID", "")


def system_check() -> Check:
    name, version = _os_name()
    data = {
        "os": name,
        "os_version": version,
        "os_family": platform.system() or sys.platform,
        "kernel": platform.release(),
        "kernel_build": platform.version(),
        "machine": platform.machine(),
        "hostname": socket.gethostname(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "quzheng": __version__,
    }
    summary = f"{name}, kernel {data['kernel']}, host {data['hostname']}, Quzheng {__version__}"
    summary_zh = f"{name}，内核 {data['kernel']}，主机名 {data['hostname']}，取证 {__version__}"
    return Check("system", data, summary, summary_zh)


# -- network interfaces and VPN ----------------------------------------------------------


def list_interfaces() -> list[Interface]:
    """Every interface with its addresses and up state, via psutil."""
    import psutil

    addrs = psutil.net_if_addrs()
    stats = psutil.net_if_stats()
    out = []
    for name in sorted(set(addrs) | set(stats)):
        ips = tuple(
            str(a.address)
            for a in addrs.get(name, [])
            if a.family in (socket.AF_INET, socket.AF_INET6)
        )
        out.append(Interface(name, stats[name].isup if name in stats else None, ips))
    return out


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def network_check(interfaces: Iterable[Interface]) -> Check:
    ifaces = list(interfaces)
    local_ips = sorted({a for i in ifaces for a in i.addresses})
    data = {
        "interfaces": [
            {"name": i.name, "up": i.up, "addresses": list(i.addresses)} for i in ifaces
        ],
        "local_ips": local_ips,
    }
    outward = [a for i in ifaces if i.up is not False for a in i.addresses if not _is_loopback(a)]
    reasons: tuple[Reason, ...] = ()
    if not outward:
        reasons = (
            Reason(
                "no-network",
                "no network interface other than loopback is up with an address",
                "除回环接口外没有已启用且有地址的网络接口",
            ),
        )
    shown = ", ".join(a for a in local_ips if not _is_loopback(a)) or "-"
    return Check(
        "network",
        data,
        f"{len(ifaces)} interface(s); local IPs {shown}",
        f"网络接口 {len(ifaces)} 个；本机 IP {shown}",
        reasons,
    )


# Interface names of tunnels and VPN clients: prefixes (Linux, BSD, macOS) and substrings
# (Windows adapter names).
VPN_PREFIXES: Final = (
    "tun", "tap", "wg", "ppp", "utun", "ipsec", "gpd", "nordlynx", "tailscale", "zt",
)  # fmt: skip
VPN_SUBSTRINGS: Final = ("vpn", "wireguard", "openvpn", "tap-windows", "wintun", "anyconnect")


def is_vpn_interface(name: str) -> bool:
    n = name.lower()
    return n.startswith(VPN_PREFIXES) or any(s in n for s in VPN_SUBSTRINGS)


def vpn_check(interfaces: Iterable[Interface]) -> Check:
    vpn = [i for i in interfaces if is_vpn_interface(i.name)]
    up = [i.name for i in vpn if i.up]
    data = {
        "active": bool(up),
        "interfaces": [{"name": i.name, "up": i.up} for i in vpn],
    }
    if up:
        names = ", ".join(up)
        return Check(
            "vpn",
            data,
            f"VPN or tunnel interface up: {names}",
            f"VPN 或隧道接口已启用：{names}",
            (
                Reason(
                    "vpn-active",
                    f"a VPN or tunnel interface is up ({names}): traffic may leave through it",
                    f"VPN 或隧道接口已启用（{names}），流量可能经其出口",
                ),
            ),
        )
    return Check("vpn", data, "no VPN or tunnel interface up", "未发现已启用的 VPN 或隧道接口")


# -- processes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """A known remote-control, proxy or traffic-interception tool, found by process name."""

    key: str
    category: str  # remote-control | proxy | interception
    label_en: str
    label_zh: str
    pattern: re.Pattern[str]


def _tool(key: str, category: str, en: str, zh: str, pattern: str) -> Tool:
    return Tool(key, category, en, zh, re.compile(pattern))


# Why these: remote-control tools let someone else act on the machine during capture;
# proxies and tunnels change where traffic goes and what the site sees; interception tools
# can read and rewrite traffic. Matched against the process name, lower-cased, without
# ".exe"/".app". A tool started under another name (e.g. Burp as "java") is not found.
FLAGGED_TOOLS: Final = (
    _tool("teamviewer", "remote-control", "TeamViewer", "TeamViewer", r"^teamviewer"),
    _tool("anydesk", "remote-control", "AnyDesk", "AnyDesk", r"^anydesk"),
    _tool("sunlogin", "remote-control", "Sunlogin", "向日葵", r"^(sunlogin|向日葵|awesun|oray)"),
    _tool("todesk", "remote-control", "ToDesk", "ToDesk", r"^todesk"),
    _tool("rustdesk", "remote-control", "RustDesk", "RustDesk", r"^rustdesk"),
    _tool("vnc", "remote-control", "VNC server", "VNC 服务端", r"^(x11vnc|x0vncserver|vncserver|xvnc|winvnc|tvnserver)"),
    _tool("frp", "proxy", "frp tunnel", "frp 内网穿透", r"^frp[cs]$"),
    _tool("ngrok", "proxy", "ngrok tunnel", "ngrok 内网穿透", r"^ngrok"),
    _tool("clash", "proxy", "Clash / mihomo", "Clash / mihomo 代理", r"^(clash|mihomo|verge-mihomo)"),
    _tool("v2ray", "proxy", "V2Ray / Xray", "V2Ray / Xray 代理", r"^(v2ray|xray)"),
    _tool("shadowsocks", "proxy", "Shadowsocks", "Shadowsocks 代理", r"^(shadowsocks|ss-local|ss-redir|sslocal|ss-server|ssserver)"),
    _tool("trojan", "proxy", "Trojan", "Trojan 代理", r"^trojan"),
    _tool("sing-box", "proxy", "sing-box", "sing-box 代理", r"^sing-box"),
    _tool("proxifier", "proxy", "Proxifier", "Proxifier 代理", r"^proxifier"),
    _tool("fiddler", "interception", "Fiddler", "Fiddler 抓包", r"^fiddler"),
    _tool("charles", "interception", "Charles", "Charles 抓包", r"^charles$"),
    _tool("burp", "interception", "Burp Suite", "Burp Suite 抓包", r"^burp"),
    _tool("mitmproxy", "interception", "mitmproxy (not Quzheng's)", "mitmproxy（非本软件所启动）", r"^(mitmproxy|mitmdump|mitmweb)$"),
)  # fmt: skip

_CATEGORY = {
    "remote-control": ("remote-control tool", "远程控制软件"),
    "proxy": ("proxy or tunnel", "代理或隧道软件"),
    "interception": ("traffic interception tool", "抓包或流量篡改软件"),
}


def _normal_name(name: str) -> str:
    n = name.strip().lower()
    for suffix in (".exe", ".app"):
        n = n.removesuffix(suffix)
    return n


def match_tool(name: str) -> Tool | None:
    n = _normal_name(name)
    return next((t for t in FLAGGED_TOOLS if t.pattern.search(n)), None)


def list_processes() -> list[Proc]:
    """Every process the OS shows us (name, pid, user), via psutil."""
    import psutil

    out = []
    for p in psutil.process_iter(["pid", "name", "username"]):
        info: dict[str, Any] = p.info
        user = info.get("username")
        out.append(Proc(int(info["pid"]), str(info.get("name") or ""), str(user) if user else None))
    return out


def process_check(procs: Iterable[Proc]) -> Check:
    listed = sorted(procs, key=lambda p: p.pid)
    flagged = []
    by_tool: dict[str, list[Proc]] = {}
    for p in listed:
        tool = match_tool(p.name)
        if tool is not None:
            flagged.append(
                {
                    "pid": p.pid,
                    "name": p.name,
                    "user": p.user,
                    "tool": tool.key,
                    "category": tool.category,
                }
            )
            by_tool.setdefault(tool.key, []).append(p)
    reasons = []
    for tool in FLAGGED_TOOLS:
        found = by_tool.get(tool.key)
        if not found:
            continue
        cat_en, cat_zh = _CATEGORY[tool.category]
        which = ", ".join(f"{p.name} (pid {p.pid})" for p in found)
        reasons.append(
            Reason(
                f"process-{tool.category}",
                f"{cat_en} running: {tool.label_en} — {which}",
                f"检测到正在运行的{cat_zh}：{tool.label_zh}（{which}）",
            )
        )
    data = {
        "count": len(listed),
        "processes": [{"pid": p.pid, "name": p.name, "user": p.user} for p in listed],
        "flagged": flagged,
        "flag_list": [t.key for t in FLAGGED_TOOLS],
    }
    return Check(
        "processes",
        data,
        f"{len(listed)} processes, {len(flagged)} flagged",
        f"进程 {len(listed)} 个，其中需注意 {len(flagged)} 个",
        tuple(reasons),
    )


# -- the capture browser -----------------------------------------------------------------


def capture_browser_check(record: Mapping[str, Any] | None, profile: Path | None) -> Check:
    """The browser the session captures with (its ``session.start`` record: engine, program,
    version, the program file's SHA-256): the program is there, no extension is in its
    profile, and it is not the fallback that cannot play H.264/AAC."""
    if record is None:
        return unavailable(
            "capture_browser",
            "not-given",
            "no capture browser given (quzheng env check outside a session)",
            "未提供取证浏览器（在取证会话之外运行的检查）",
            warning=False,
        )
    data = dict(record)
    reasons: list[Reason] = []
    if data.get("engine") == "qtwebengine":
        reasons.append(
            Reason(
                "fallback-browser",
                "the capture uses the built-in fallback browser, which cannot play H.264/AAC "
                "(live rooms and product videos stay black)",
                "取证使用内置备用浏览器，不能播放 H.264/AAC（直播间和商品视频为黑屏）",
            )
        )
        return Check(
            "capture_browser",
            data,
            "built-in fallback (Qt WebEngine)",
            "内置备用浏览器",
            tuple(reasons),
        )
    program = Path(str(data.get("path", "")))
    data["program_present"] = program.is_file()
    if not data["program_present"]:
        reasons.append(
            Reason(
                "browser-missing",
                f"the capture browser {program} is not there",
                f"取证浏览器 {program} 不存在",
            )
        )
    extensions = 0
    if profile is not None:
        for folder in ("Default/Extensions", "Extensions"):
            with contextlib.suppress(OSError):
                extensions += sum(1 for _ in (profile / folder).iterdir())
    data["profile_extensions"] = extensions
    if extensions:
        reasons.append(
            Reason(
                "browser-extensions",
                f"the capture browser's profile holds {extensions} extension(s)",
                f"取证浏览器的配置中有 {extensions} 个扩展程序",
            )
        )
    name = f"{data.get('product', '')} {data.get('version', '')}".strip()
    build = str(data.get("program_sha256", ""))[:16]
    return Check(
        "capture_browser",
        data,
        f"{name} ({program}; program SHA-256 {build}…; no extensions)",
        f"{name}（{program}；程序 SHA-256 {build}…；无扩展程序）",
        tuple(reasons),
    )


# -- the browser profile -----------------------------------------------------------------

# A profile whose every file is younger than this counts as newly created for the session.
FRESH_PROFILE_SECONDS: Final = 600
_MAX_PROFILE_ENTRIES: Final = 20_000


def _walk(root: Path) -> tuple[int, float | None, bool]:
    """Entries under ``root`` (not following links), the oldest mtime, and whether the
    walk stopped at the bound. A running browser creates and deletes files all the time:
    an entry that vanishes during the walk is skipped."""
    count, oldest = 0, None
    stack = [root]
    while stack:
        top = stack.pop()
        try:
            it = os.scandir(top)
        except FileNotFoundError:
            if top == root:
                raise
            continue
        with it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                    is_dir = entry.is_dir(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                count += 1
                oldest = st.st_mtime if oldest is None else min(oldest, st.st_mtime)
                if is_dir:
                    stack.append(Path(entry.path))
                if count >= _MAX_PROFILE_ENTRIES:
                    return count, oldest, True
    return count, oldest, False


def browser_profile_check(path: Path | None, now: float) -> Check:
    if path is None:
        return unavailable(
            "browser_profile",
            "not-given",
            "no browser profile given (it is checked when the capture browser starts)",
            "未提供浏览器配置目录（启动取证浏览器时检查）",
            warning=False,
        )
    data: dict[str, Any] = {"path": str(path), "exists": False}
    try:
        is_dir = path.is_dir()
        if not is_dir and not path.exists():
            return unavailable(
                "browser_profile",
                "profile-missing",
                f"the browser profile directory {path} does not exist",
                f"浏览器配置目录 {path} 不存在",
                data=data,
            )
        data["exists"] = True
        if not is_dir:
            return unavailable(
                "browser_profile",
                "profile-not-directory",
                f"the browser profile {path} is not a directory",
                f"浏览器配置 {path} 不是目录",
                data=data,
            )
        count, oldest, truncated = _walk(path)
    except OSError as exc:
        return unavailable(
            "browser_profile",
            "profile-unreadable",
            f"cannot read the browser profile {path}: {exc.strerror or exc}",
            f"无法读取浏览器配置目录 {path}：{os_reason(exc)[1]}",
            data=data,
        )
    data.update({"entries": count, "entries_truncated": truncated, "oldest_mtime": None})
    if oldest is None:
        data["fresh"] = True
        return Check("browser_profile", data, "empty (fresh)", "空目录（全新）")
    when = datetime.fromtimestamp(oldest, UTC)
    data["oldest_mtime"] = format_time(when)
    age = int(now - oldest)
    data["fresh"] = age <= FRESH_PROFILE_SECONDS
    if data["fresh"]:
        return Check(
            "browser_profile",
            data,
            f"newly created ({count} entries, all from the last {FRESH_PROFILE_SECONDS // 60} min)",
            f"新建（{count} 项，均为 {FRESH_PROFILE_SECONDS // 60} 分钟内创建）",
        )
    stamp = format_time(when)
    return Check(
        "browser_profile",
        data,
        f"not fresh: holds {count} entries, the oldest from {stamp}",
        f"非全新：含 {count} 项，最早的修改于 {stamp}",
        (
            Reason(
                "profile-not-fresh",
                f"the browser profile is not fresh: it holds files from {stamp}, "
                f"older than {FRESH_PROFILE_SECONDS // 60} minutes (cookies or history may "
                "come from before the session)",
                f"浏览器配置不是全新的：含有 {stamp} 的文件，早于 {FRESH_PROFILE_SECONDS // 60} "
                "分钟（可能带有会话前的 Cookie 或历史记录）",
            ),
        ),
    )

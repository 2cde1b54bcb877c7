"""Sub-checks of where traffic goes: egress IP, DNS servers, target resolution, the hosts
file and proxy settings.

What they trust: echo services are asked directly (never through a configured proxy),
each one independently, and a reply counts only if it is an IP address; disagreement
between them is a warning, not something to average away.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from forensics import __version__
from forensics.environment.model import (
    Check,
    Reason,
    Resolver,
    unavailable,
)
from forensics.errors import os_reason

# Plain-text "what is my IP" services, Chinese ones first. Configurable by the caller; a
# service that does not answer is recorded with the reason.
DEFAULT_ECHO_URLS: Final = (
    "https://ip.3322.net",
    "https://4.ipw.cn",
    "https://api.ipify.org",
    "https://icanhazip.com",
)
_MAX_ECHO_BYTES: Final = 4096
_IPV4: Final = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")

# -- egress IP ---------------------------------------------------------------------------


def _extract_ip(text: str) -> str | None:
    """The IP address in an echo reply: plain text, JSON {"ip"|"origin": …}, or the first
    IPv4 address in a short text such as "当前 IP：203.0.113.7 来自于：…"."""
    candidates = [text]
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            candidates = [str(obj.get("ip") or obj.get("origin") or "")]
    except ValueError:
        candidates += _IPV4.findall(text)
    for c in candidates:
        try:
            return str(ipaddress.ip_address(c.strip().split(",")[0].strip()))
        except ValueError:
            continue
    return None


def _failure(url: str, code: str, error: str) -> dict[str, Any]:
    return {"url": url, "reachable": False, "ip": None, "error_code": code, "error": error}


def ask_echo(url: str, timeout: float) -> dict[str, Any]:
    """Ask one echo service directly. Never raises: the result says what happened."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return _failure(url, "bad-url", "not an http(s) URL")
    # An empty ProxyHandler: go direct, as the recording proxy does, whatever the
    # environment's proxy variables say.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        url, headers={"User-Agent": f"Quzheng/{__version__} env-check", "Accept": "text/plain"}
    )
    try:
        with opener.open(request, timeout=timeout) as resp:
            body = resp.read(_MAX_ECHO_BYTES)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _failure(url, "http-error", f"HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            return _failure(url, "refused", "connection refused")
        if isinstance(reason, TimeoutError):
            return _failure(url, "timeout", f"no reply within {timeout:g} s")
        if isinstance(reason, socket.gaierror):
            return _failure(url, "unresolvable", str(reason))
        return _failure(url, "network", str(reason))
    except TimeoutError:
        return _failure(url, "timeout", f"no reply within {timeout:g} s")
    except (OSError, ValueError) as exc:  # http.client errors, bad ports, resets
        return _failure(url, "network", f"{type(exc).__name__}: {exc}")
    ip = _extract_ip(body.decode("utf-8", "replace").strip())
    if ip is None:
        return _failure(url, "bad-reply", "the reply holds no IP address")
    return {"url": url, "reachable": True, "ip": ip, "error_code": None, "error": None}


def egress_check(echo_urls: Sequence[str], timeout: float) -> Check:
    if not echo_urls:
        return unavailable(
            "egress", "no-echo-service", "no echo service configured", "未配置出口 IP 查询服务"
        )
    with ThreadPoolExecutor(max_workers=min(8, len(echo_urls))) as pool:
        services = list(pool.map(lambda u: ask_echo(u, timeout), echo_urls))
    ips = sorted({str(s["ip"]) for s in services if s["reachable"]})
    notes = tuple(
        Reason(
            f"echo-{s['error_code']}",
            f"echo service {s['url']} gave no answer: {s['error']}",
            f"出口 IP 查询服务 {s['url']} 无结果：{s['error']}",
            warning=False,
        )
        for s in services
        if not s["reachable"]
    )
    data = {"egress_ip": ips[0] if len(ips) == 1 else None, "egress_ips": ips, "services": services}
    if not ips:
        return Check(
            "egress",
            data,
            "not checked: no echo service answered",
            "未检查：没有出口 IP 查询服务应答",
            (
                Reason(
                    "egress-unknown",
                    "the public egress IP is unknown: no echo service answered",
                    "公网出口 IP 未知：没有查询服务应答",
                ),
                *notes,
            ),
            available=False,
        )
    answered = sum(1 for s in services if s["reachable"])
    if len(ips) > 1:
        shown = ", ".join(ips)
        return Check(
            "egress",
            data,
            f"echo services disagree: {shown}",
            f"各查询服务结果不一致：{shown}",
            (
                Reason(
                    "egress-disagree",
                    f"echo services see different egress IPs ({shown}): traffic may leave "
                    "through more than one route (proxy, VPN or load-balanced line)",
                    f"各查询服务看到的出口 IP 不同（{shown}）：流量可能经多条线路出口（代理、VPN 或多线负载）",
                ),
                *notes,
            ),
        )
    return Check(
        "egress",
        data,
        f"{ips[0]} ({answered} of {len(services)} echo services agree)",
        f"{ips[0]}（{len(services)} 个查询服务中 {answered} 个一致）",
        notes,
    )


# -- DNS servers -------------------------------------------------------------------------

RESOLV_CONF: Final = Path("/etc/resolv.conf")
# systemd-resolved keeps the real upstream servers here when resolv.conf names its stub.
_RESOLVED_UPSTREAM: Final = Path("/run/systemd/resolve/resolv.conf")


def parse_resolv_conf(text: str) -> tuple[list[str], list[str]]:
    servers: list[str] = []
    search: list[str] = []
    for line in text.splitlines():
        fields = line.split("#")[0].split(";")[0].split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            servers.append(fields[1])
        elif fields and fields[0] in ("search", "domain"):
            search.extend(fields[1:])
    return servers, search


def _windows_dns() -> list[str]:
    servers: list[str] = []
    if sys.platform == "win32":
        import winreg

        base = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces"
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, base) as key:
            for i in range(winreg.QueryInfoKey(key)[0]):
                with winreg.OpenKey(key, winreg.EnumKey(key, i)) as sub:
                    for value in ("NameServer", "DhcpNameServer"):
                        try:
                            raw = str(winreg.QueryValueEx(sub, value)[0])
                        except OSError:
                            continue
                        servers += [s for s in re.split(r"[ ,]+", raw) if s]
    return list(dict.fromkeys(servers))


def dns_check(resolv_conf: Path = RESOLV_CONF) -> Check:
    data: dict[str, Any] = {"source": None, "dns_servers": [], "search": []}
    reasons: list[Reason] = []
    try:
        if sys.platform == "win32":
            data["source"] = "registry"
            data["dns_servers"] = _windows_dns()
        else:
            data["source"] = str(resolv_conf)
            text = resolv_conf.read_text(encoding="utf-8", errors="replace")
            data["dns_servers"], data["search"] = parse_resolv_conf(text)
    except OSError as exc:
        return unavailable(
            "dns",
            "dns-unreadable",
            f"cannot read the DNS configuration {data['source']}: {exc.strerror or exc}",
            f"无法读取 DNS 配置 {data['source']}：{os_reason(exc)[1]}",
            data=data,
        )
    servers: list[str] = data["dns_servers"]
    if servers and all(s.startswith("127.0.0.5") for s in servers):
        try:
            up, _ = parse_resolv_conf(_RESOLVED_UPSTREAM.read_text(encoding="utf-8"))
            data["upstream_servers"] = up
        except OSError:
            reasons.append(
                Reason(
                    "dns-upstream-unknown",
                    "the DNS server is a local stub; its upstream servers are unknown",
                    "DNS 服务器为本机转发程序，其上游服务器未知",
                    warning=False,
                )
            )
    if not servers:
        reasons.append(Reason("dns-none", "no DNS server is configured", "未配置 DNS 服务器"))
    shown = ", ".join(servers + [f"(→ {s})" for s in data.get("upstream_servers", [])]) or "-"
    return Check("dns", data, shown, shown, tuple(reasons))


# -- target resolution -------------------------------------------------------------------


def target_host(target: str) -> str | None:
    """The host name of a target URL (or of a bare host name), lower-case, no final dot."""
    text = target.strip()
    if not text:
        return None
    try:
        parts = urllib.parse.urlsplit(text if "//" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.rstrip(".") or None


def target_hosts(targets: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(h for h in map(target_host, targets) if h))


def system_resolver(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


# Where a redirected name points when someone has tampered with name resolution: this
# machine, the LAN, carrier-grade NAT, link-local. (Not "is_global": a target never
# resolves to a documentation range in practice, and tests use those as public addresses.)
_LOCAL_NETS: Final = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip


def _non_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _LOCAL_NETS)


# Top-level names reserved for tests and documentation (RFC 2606, RFC 6761): they never
# resolve in public DNS. The practice range lives under one of them (``range.test``).
_RESERVED_TLDS: Final = ("test", "example", "invalid", "localhost")


def _unresolved_text(host: str, exc: BaseException) -> tuple[str, str]:
    """Why ``host`` did not resolve, in words (not the socket module's exception)."""
    code = exc.errno if isinstance(exc, socket.gaierror) else None
    if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
        en, zh = "the name does not exist in DNS", "DNS 中不存在该名称"
    elif code == socket.EAI_AGAIN:
        en, zh = (
            "DNS did not answer (no network, or the DNS server is unreachable)",
            "DNS 没有应答（网络未连接或 DNS 服务器不可达）",
        )
    elif isinstance(exc, socket.gaierror):
        en, zh = f"DNS lookup failed ({exc.strerror})", f"DNS 查询失败（错误码 {code}）"
    else:
        en, zh = f"{type(exc).__name__}: {exc}", f"{type(exc).__name__}：{exc}"
    if host.rsplit(".", 1)[-1].lower() in _RESERVED_TLDS:
        en += (
            f"; {host} is a reserved test name that exists nowhere on the internet, such as "
            "the practice range's (*.range.test): to practise, start the session with "
            "'Training on the practice range'"
        )
        zh += (
            f"；{host} 是保留的测试域名，互联网上并不存在（练习靶场 *.range.test 即属此类）："
            "练习时请在开始会话时选择“在练习靶场训练”"
        )
    return en, zh


def _resolve(host: str, resolver: Resolver) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The sealed record of one name's resolution, and why it failed in words (the record
    keeps the exception as raised; the finding explains it)."""
    try:
        ipaddress.ip_address(host)
        return {"ips": [host], "literal": True, "error": None}, None
    except ValueError:
        pass
    try:
        ips = sorted({str(a) for a in resolver(host)})
    except Exception as exc:  # an injected resolver may raise anything: record it
        record = {"ips": [], "literal": False, "error": f"{type(exc).__name__}: {exc}"}
        return record, _unresolved_text(host, exc)
    if not ips:
        return {"ips": [], "literal": False, "error": "no address"}, None
    return {"ips": ips, "literal": False, "error": None}, None


def _in_domain(host: str, domain: str | None) -> bool:
    return bool(domain) and (host == domain or host.endswith(f".{domain}"))


def resolution_check(
    targets: Sequence[str], resolver: Resolver | None, practice_domain: str | None = None
) -> Check:
    """Where the targets resolve. ``practice_domain`` is the practice range's domain when
    the session trains on it: its names resolving to this machine is then expected (the
    recording proxy maps them there) and noted, not warned about; outside training the
    same resolution stays a warning."""
    hosts = target_hosts(targets)
    bad = [t for t in targets if target_host(t) is None]
    reasons = [
        Reason("target-invalid", f"not a URL or host name: {t!r}", f"不是网址或主机名：{t!r}")
        for t in bad
    ]
    if not hosts:
        reasons.append(
            Reason("no-target", "no target domain given", "未提供目标域名", warning=False)
        )
        return Check(
            "resolution",
            {"targets": [], "resolutions": {}},
            "no target",
            "无目标域名",
            tuple(reasons),
        )
    resolve = resolver or system_resolver
    with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
        done = dict(zip(hosts, pool.map(lambda h: _resolve(h, resolve), hosts), strict=True))
    results = {host: record for host, (record, _cause) in done.items()}
    for host, r in results.items():
        cause = done[host][1]
        if r["error"]:
            reasons.append(
                Reason(
                    "target-unresolved",
                    f"target {host} does not resolve: {cause[0] if cause else r['error']}",
                    f"目标域名 {host} 无法解析：{cause[1] if cause else r['error']}",
                )
            )
        elif _in_domain(host, practice_domain) and all(_non_public(a) for a in r["ips"]):
            shown = ", ".join(r["ips"])
            reasons.append(
                Reason(
                    "target-practice-range",
                    f"target {host} is on the practice range and resolves to this machine "
                    f"({shown}), as expected in training: the recording proxy sends its "
                    "names to the range. Outside training this would be a warning.",
                    f"目标域名 {host} 属于练习靶场，解析到本机（{shown}），这在训练中属正常："
                    "录制代理将靶场域名指向本机靶场。非训练取证中此项会作为警告提示。",
                    warning=False,
                )
            )
        elif not r["literal"] and any(_non_public(a) for a in r["ips"]):
            shown = ", ".join(r["ips"])
            reasons.append(
                Reason(
                    "target-private-ip",
                    f"target {host} resolves to a non-public address ({shown}): check the "
                    "hosts file and DNS",
                    f"目标域名 {host} 解析到非公网地址（{shown}），请检查 hosts 文件和 DNS",
                )
            )
    shown = "; ".join(f"{h} → {', '.join(r['ips']) or 'unresolved'}" for h, r in results.items())
    shown_zh = "；".join(f"{h} → {', '.join(r['ips']) or '无法解析'}" for h, r in results.items())
    return Check(
        "resolution",
        {"targets": hosts, "resolutions": results},
        shown,
        shown_zh,
        tuple(reasons),
    )


# -- hosts file --------------------------------------------------------------------------

_MAX_HOSTS_PARSE: Final = 8 << 20  # bytes parsed for entries; the hash covers all of it
_MAX_HOSTS_KEPT: Final = 1000  # entries kept in the record (the hash vouches for the rest)


def default_hosts_path() -> Path:
    if sys.platform == "win32":
        root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        return Path(root) / "System32" / "drivers" / "etc" / "hosts"
    return Path("/etc/hosts")


def _mentions(name: str, host: str) -> bool:
    name = name.lower().rstrip(".")
    return name == host or name.endswith("." + host) or host.endswith("." + name)


def hosts_check(path: Path, targets: Sequence[str]) -> Check:
    data: dict[str, Any] = {"path": str(path), "exists": False, "sha256": None, "size": None}
    digest = hashlib.sha256()
    size = 0
    head = bytearray()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                if len(head) < _MAX_HOSTS_PARSE:
                    head += chunk[: _MAX_HOSTS_PARSE - len(head)]
    except FileNotFoundError:
        data.update({"entries": [], "entries_total": 0, "target_entries": []})
        return Check(
            "hosts",
            data,
            f"no hosts file at {path}",
            f"{path} 无 hosts 文件",
            (Reason("hosts-missing", f"no hosts file at {path}", f"{path} 不存在", False),),
        )
    except OSError as exc:
        return unavailable(
            "hosts",
            "hosts-unreadable",
            f"cannot read the hosts file {path}: {exc.strerror or exc}",
            f"无法读取 hosts 文件 {path}：{os_reason(exc)[1]}",
            data=data,
        )
    data.update({"exists": True, "sha256": digest.hexdigest(), "size": size})
    hosts = target_hosts(targets)
    entries: list[dict[str, Any]] = []
    flagged: list[dict[str, Any]] = []
    for number, line in enumerate(head.decode("utf-8", "replace").splitlines(), 1):
        fields = line.split("#")[0].split()
        if len(fields) < 2:
            continue
        entry = {"line": number, "ip": fields[0], "names": fields[1:]}
        entries.append(entry)
        hit = next((h for h in hosts for n in fields[1:] if _mentions(n, h)), None)
        if hit is not None:
            flagged.append({**entry, "target": hit})
    data.update(
        {
            "entries": entries[:_MAX_HOSTS_KEPT],
            "entries_total": len(entries),
            "entries_truncated": len(entries) > _MAX_HOSTS_KEPT or size > _MAX_HOSTS_PARSE,
            "target_entries": flagged,
        }
    )
    reasons = tuple(
        Reason(
            "hosts-target-entry",
            f"the hosts file redirects {' '.join(e['names'])} to {e['ip']} (line {e['line']}), "
            f"which concerns target {e['target']}",
            f"hosts 文件第 {e['line']} 行将 {' '.join(e['names'])} 指向 {e['ip']}，涉及目标域名 {e['target']}",
        )
        for e in flagged
    )
    short = digest.hexdigest()[:16]
    return Check(
        "hosts",
        data,
        f"{len(entries)} entries, SHA-256 {short}…, {len(flagged)} concerning a target",
        f"{len(entries)} 条记录，SHA-256 {short}…，涉及目标域名 {len(flagged)} 条",
        reasons,
    )

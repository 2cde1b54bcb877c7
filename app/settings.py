"""Settings, declared once: name, type, default, help. Stored in ``<data home>/config.json``."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.jsonfile import read_json
from forensics.atomic import make_private_dir, write_atomic
from forensics.errors import InputError


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    default: str | int
    help_en: str
    help_zh: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "tsa.urls",
            str,
            "",
            "RFC 3161 time-stamp authorities, comma-separated, tried in order",
            "RFC 3161 时间戳服务地址，逗号分隔，按顺序尝试",
        ),
        Setting(
            "ntp.servers",
            str,
            "ntp.ntsc.ac.cn,cn.pool.ntp.org,time.cloudflare.com",
            "NTP servers for the clock check, comma-separated",
            "时钟核对使用的 NTP 服务器，逗号分隔",
        ),
        Setting(
            "data.dir",
            str,
            "",
            "where cases are kept (empty: the default data directory)",
            "案件存放目录（留空为默认目录）",
        ),
        Setting(
            "video.segment_seconds",
            int,
            60,
            "length of one sealed recording segment, seconds",
            "录像分段封存的时长（秒）",
        ),
        Setting(
            "browser.engine",
            str,
            "auto",
            "capture browser: auto (a Chromium-family browser if one is installed, else the "
            "built-in fallback), chromium, or qtwebengine (the fallback: no H.264/AAC)",
            "取证浏览器：auto（已安装 Chromium 系浏览器时使用之，否则使用内置备用浏览器）、"
            "chromium，或 qtwebengine（备用浏览器，不能播放 H.264/AAC）",
        ),
        Setting(
            "browser.path",
            str,
            "",
            "the Chromium, Google Chrome or Microsoft Edge program to capture with (empty: "
            "found in the usual places)",
            "用于取证的 Chromium、Google Chrome 或 Microsoft Edge 程序路径（留空则在常见位置查找）",
        ),
        Setting(
            "proxy.port_range",
            str,
            "0",
            "loopback port range for the recording proxy ('0' = any free port)",
            "取证代理的回环端口范围（0 表示任意空闲端口）",
        ),
        Setting(
            "env.echo_urls",
            str,
            "",
            "services that echo the public egress IP, comma-separated (empty: built-in list)",
            "回显公网出口 IP 的服务，逗号分隔（留空使用内置列表）",
        ),
        Setting(
            "vault.url",
            str,
            "",
            "the agency vault's address (docs/vault.md), e.g. https://vault.agency.example "
            "(empty: no vault)",
            "机构证据保管库地址（docs/vault.md），例如 https://vault.agency.example（留空表示不使用）",
        ),
        Setting("ui.language", str, "", "zh_CN or en (empty: system)", "界面语言：zh_CN 或 en"),
    )
}


def _path(home: Path) -> Path:
    return home / "config.json"


def _load(home: Path) -> dict[str, str | int]:
    raw = read_json(_path(home), "settings file", "设置文件")
    return {k: v for k, v in raw.items() if k in SETTINGS} if isinstance(raw, dict) else {}


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise InputError(
            f"unknown setting {key!r}; known: {', '.join(sorted(SETTINGS))}",
            f"未知设置项 {key!r}；可用：{', '.join(sorted(SETTINGS))}",
        )
    return SETTINGS[key]


def get(home: Path, key: str) -> str | int:
    s = _setting(key)
    if key == "tsa.urls" and os.environ.get("QUZHENG_TSA_URLS"):
        return os.environ["QUZHENG_TSA_URLS"]
    return _load(home).get(key, s.default)


def get_list(home: Path, key: str) -> list[str]:
    """A comma-separated setting (``tsa.urls``, ``ntp.servers``, ``env.echo_urls``) as its
    items, each stripped, empty ones dropped: ``[]`` when nothing is set."""
    return [item.strip() for item in str(get(home, key)).split(",") if item.strip()]


def set_value(home: Path, key: str, value: str) -> str | int:
    s = _setting(key)
    parsed: str | int = value
    if s.kind is int:
        try:
            parsed = int(value)
        except ValueError:
            raise InputError(
                f"{key} needs a whole number, not {value!r}", f"{key} 需要整数，而不是 {value!r}"
            ) from None
        if parsed <= 0:
            raise InputError(f"{key} must be positive", f"{key} 必须为正数")
    data = _load(home)
    data[key] = parsed
    make_private_dir(home)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_atomic(_path(home), text, private=True)  # the owner's alone, whatever the umask
    return parsed


def proxy_port(home: Path) -> int:
    """A free loopback port from ``proxy.port_range`` ("A-B", "P" or "0" for any)."""
    import socket

    text = str(get(home, "proxy.port_range")).strip() or "0"
    try:
        low, _, high = text.partition("-")
        first, last = int(low), int(high or low)
    except ValueError:
        raise InputError(
            f"proxy.port_range must be 'FIRST-LAST', a port, or 0, not {text!r}",
            f"proxy.port_range 应为“起-止”、单个端口或 0，而不是 {text!r}",
        ) from None
    if first == 0:
        return 0
    if not 0 < first <= last < 65536:
        raise InputError(f"bad proxy.port_range {text!r}", f"proxy.port_range 无效：{text!r}")
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise InputError(
        f"no free port in proxy.port_range {text}", f"proxy.port_range {text} 中没有空闲端口"
    )

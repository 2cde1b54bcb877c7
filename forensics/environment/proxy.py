"""Proxy settings of the machine: environment variables and the OS's own settings.

Linux: the proxy environment variables, GNOME's ``gsettings`` and ``/etc/environment``;
macOS: ``scutil --proxy``; Windows: the Internet Settings registry key. Every source other
than the environment is best effort: a missing command or key is a note, not a failure.
Passwords in proxy URLs are never recorded (``user:***@host``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from forensics.childenv import child_environment
from forensics.environment.model import Check, CommandRunner, Reason

PROXY_VARS: Final = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy")
ETC_ENVIRONMENT: Final = Path("/etc/environment")


def redact(value: str) -> str:
    """A proxy URL without its password (``user:***@host``), with or without a scheme."""
    bare = "://" not in value
    try:
        parts = urllib.parse.urlsplit("//" + value if bare else value)
        password = parts.password
    except ValueError:
        return value
    if password is None:
        return value
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    out = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return out.removeprefix("//") if bare else out


def run_command(args: Sequence[str], timeout: float) -> str:
    proc = subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**child_environment(), "LC_ALL": "C"},
    )
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or [""])[0]
        raise OSError(f"{args[0]} exited with status {proc.returncode}: {first}".rstrip(": "))
    return proc.stdout


def _gnome_proxy(run: CommandRunner, timeout: float) -> dict[str, str]:
    def get(schema: str, key: str) -> str:
        return run(["gsettings", "get", schema, key], timeout).strip().strip("'")

    base = "org.gnome.system.proxy"
    out = {"mode": get(base, "mode")}
    if out["mode"] == "manual":
        for scheme in ("http", "https", "socks", "ftp"):
            host = get(f"{base}.{scheme}", "host")
            if host:
                out[scheme] = f"{host}:{get(f'{base}.{scheme}', 'port')}"
    elif out["mode"] == "auto":
        out["autoconfig_url"] = get(base, "autoconfig-url")
    return out


def _scutil_proxy(run: CommandRunner, timeout: float) -> dict[str, str]:
    out = {}
    for line in run(["scutil", "--proxy"], timeout).splitlines():
        key, sep, value = line.partition(" : ")
        if sep and re.fullmatch(r"\s*[A-Za-z]+", key) and not value.startswith("<"):
            out[key.strip()] = value.strip()
    return out


def _windows_proxy() -> dict[str, str]:
    out: dict[str, str] = {}
    if sys.platform == "win32":
        import winreg

        path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
            for name in ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"):
                try:
                    out[name] = str(winreg.QueryValueEx(key, name)[0])
                except OSError:
                    continue
    return out


def _etc_environment(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip().lower() in PROXY_VARS and value.strip().strip("'\""):
            out[key.strip()] = redact(value.strip().strip("'\""))
    return out


def _os_proxy_active(os_proxy: Mapping[str, Mapping[str, str]]) -> bool:
    gnome = os_proxy.get("gnome", {})
    mac = os_proxy.get("scutil", {})
    win = os_proxy.get("windows", {})
    etc = os_proxy.get("etc_environment", {})
    return (
        gnome.get("mode", "none") not in ("none", "")
        or any(k.endswith("Enable") and v == "1" for k, v in mac.items())
        or win.get("ProxyEnable", "0") not in ("0", "")
        or bool(win.get("AutoConfigURL"))
        or any(k.lower() != "no_proxy" for k in etc)
    )


def proxy_check(
    environ: Mapping[str, str],
    run: CommandRunner,
    timeout: float,
    etc_environment: Path = ETC_ENVIRONMENT,
) -> Check:
    env = {k: redact(v) for k, v in sorted(environ.items()) if k.lower() in PROXY_VARS and v}
    os_proxy: dict[str, dict[str, str]] = {}
    notes: list[Reason] = []
    sources: list[tuple[str, Callable[[], dict[str, str]]]] = []
    if sys.platform == "win32":
        sources.append(("windows", _windows_proxy))
    elif sys.platform == "darwin":
        sources.append(("scutil", lambda: _scutil_proxy(run, timeout)))
    else:
        sources.append(("gnome", lambda: _gnome_proxy(run, timeout)))
        if etc_environment.exists():
            sources.append(("etc_environment", lambda: _etc_environment(etc_environment)))
    for name, read in sources:
        try:
            os_proxy[name] = {k: redact(v) for k, v in read().items()}
        except FileNotFoundError:
            notes.append(
                Reason(
                    f"proxy-source-{name}",
                    f"proxy settings source {name} not available (command not found)",
                    f"代理设置来源 {name} 不可用（命令不存在）",
                    warning=False,
                )
            )
        except (OSError, subprocess.SubprocessError) as exc:
            notes.append(
                Reason(
                    f"proxy-source-{name}",
                    f"proxy settings source {name} not readable: {exc}",
                    f"代理设置来源 {name} 无法读取：{exc}",
                    warning=False,
                )
            )
    env_active = [k for k in env if k.lower() != "no_proxy"]
    os_active = _os_proxy_active(os_proxy)
    data = {
        "env": env,
        "os": os_proxy,
        "active": bool(env_active) or os_active,
        "unavailable_sources": [r.code.removeprefix("proxy-source-") for r in notes],
    }
    reasons = list(notes)
    if env_active:
        shown = ", ".join(f"{k}={env[k]}" for k in env_active)
        reasons.insert(
            0,
            Reason(
                "proxy-env",
                f"proxy environment variables are set: {shown}",
                f"设置了代理环境变量：{shown}",
            ),
        )
    if os_active:
        shown = json.dumps(os_proxy, ensure_ascii=False, sort_keys=True)
        reasons.insert(
            0,
            Reason(
                "proxy-os", f"a system proxy is configured: {shown}", f"配置了系统代理：{shown}"
            ),
        )
    if data["active"]:
        return Check("proxy", data, "a proxy is configured", "配置了代理", tuple(reasons))
    return Check("proxy", data, "no proxy configured", "未配置代理", tuple(reasons))

"""How a capture browser is started: its command line and Playwright's launch options.

The same rules as Qt WebEngine's session browser (``app.capture.browser``):

- every request goes through the recording proxy, loopback included
  (``--proxy-bypass-list=<-loopback>``; Chromium otherwise sends loopback around a proxy);
- the proxy CA is trusted through its SPKI pin only
  (``--ignore-certificate-errors-spki-list``), never installed anywhere;
- a fresh, empty profile (Playwright takes ``--user-data-dir`` as the ``user_data_dir``
  parameter of ``launch_persistent_context`` and refuses it among the arguments);
- the proxy address and its credentials go to Playwright's ``proxy=`` option, which
  answers the proxy's challenge over CDP: the secret is never on a command line (command
  lines are world-readable).

Playwright adds switches of its own (``chromiumSwitches``: no background networking, no
component updates, no sync, ``--disable-extensions``...) and, unless told
``chromium_sandbox=True``, ``--no-sandbox``: ``launch_options()`` asks for the sandbox
whenever we are not root. ``--enable-automation`` (the "controlled by automated software"
bar) is ignored by name; Playwright 1.65 no longer adds it for Chromium, older ones do.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from forensics.errors import CaptureError

IGNORED_DEFAULT_ARGS: tuple[str, ...] = ("--enable-automation",)
DEFAULT_WINDOW = (1280, 800)

# Switches Playwright manages itself or that would undo what this module sets up.
_FORBIDDEN_PREFIXES = (
    "--user-data-dir",
    "--remote-debugging",
    "--proxy-server",
    "--proxy-pac-url",
    "--no-proxy-server",
    "--proxy-auto-detect",
    "--proxy-bypass-list",
    "--ignore-certificate-errors",
    "--load-extension",
)


def is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def check_spki(spki_sha256_b64: str) -> str:
    """The SPKI pin as given, when it is base64 of 32 bytes (a SHA-256); else CaptureError."""
    try:
        raw = base64.b64decode(spki_sha256_b64, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32 or "," in spki_sha256_b64:
        raise CaptureError(
            f"Not the base64 SHA-256 of a certificate key: {spki_sha256_b64!r}.",
            f"不是证书公钥的 base64 SHA-256 摘要：{spki_sha256_b64!r}。",
        )
    return spki_sha256_b64


def capture_flags(
    *,
    ca_spki_sha256_b64: str | None,
    headless: bool,
    window: tuple[int, int] = DEFAULT_WINDOW,
    root: bool | None = None,
    disable_gpu: bool = False,
    extra: Sequence[str] = (),
) -> list[str]:
    """The command-line switches of a capture browser (pure: ``root`` None asks the OS).

    ``ca_spki_sha256_b64`` None starts a browser that trusts no extra certificate (only for
    a browser without the recording proxy, such as tests)."""
    width, height = window
    if width <= 0 or height <= 0:
        raise ValueError(f"bad window size {window!r}")
    for flag in extra:
        if flag.startswith(_FORBIDDEN_PREFIXES) or not flag.startswith("--"):
            raise ValueError(f"not allowed among the extra flags: {flag!r}")
    flags = [
        # Loopback too goes through the proxy (Playwright adds the same when a proxy is set).
        "--proxy-bypass-list=<-loopback>",
    ]
    if ca_spki_sha256_b64 is not None:
        flags.append(f"--ignore-certificate-errors-spki-list={check_spki(ca_spki_sha256_b64)}")
    flags += [
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-sync",
        # Decode images while rasterising, not afterwards: otherwise a frame can show a
        # placeholder where a photo is (checker-imaging), and a capture would keep it.
        "--disable-checker-imaging",
        # Live rooms start playing by themselves; a capture must see what a viewer sees.
        "--autoplay-policy=no-user-gesture-required",
        f"--window-size={width},{height}",
    ]
    if headless:
        flags.append("--headless=new")
    if disable_gpu:
        flags.append("--disable-gpu")
    if is_root() if root is None else root:
        flags.append("--no-sandbox")  # Chromium refuses to run sandboxed as root
    flags += list(extra)
    return flags


@dataclass(frozen=True)
class ProxyConfig:
    """The recording proxy: where it listens and the session's credentials."""

    server: str  # http://127.0.0.1:PORT
    username: str = ""
    password: str = field(default="", repr=False)

    def playwright(self) -> dict[str, str]:
        """Playwright's ``proxy=`` option (``ProxySettings``)."""
        if not self.server.startswith("http://127.0.0.1:"):
            raise CaptureError(
                f"The recording proxy must listen on loopback, not {self.server}.",
                f"取证代理必须监听本机回环地址，而不是 {self.server}。",
            )
        out = {"server": self.server}
        if self.username:
            out["username"] = self.username
            out["password"] = self.password
        return out


def launch_options(
    *,
    executable_path: str,
    headless: bool,
    window: tuple[int, int] = DEFAULT_WINDOW,
    proxy: ProxyConfig | None = None,
    ca_spki_sha256_b64: str | None = None,
    root: bool | None = None,
    disable_gpu: bool = False,
    extra: Sequence[str] = (),
    timeout_ms: float = 60_000,
    sound: bool = False,
) -> dict[str, Any]:
    """The keyword arguments of ``BrowserType.launch_persistent_context`` (all but
    ``user_data_dir``), pure. A proxy without its CA's pin is refused: the browser would
    reject every TLS site. ``sound``: the browser's sound goes to a sink the recorder
    captures, so Playwright's ``--mute-audio`` (added when headless) is left out."""
    if proxy is not None and ca_spki_sha256_b64 is None:
        raise CaptureError(
            "The recording proxy's CA is unknown; the browser cannot trust the proxy.",
            "取证代理的根证书未知，浏览器无法信任该代理。",
        )
    running_as_root = is_root() if root is None else root
    width, height = window
    options: dict[str, Any] = {
        "executable_path": executable_path,
        "headless": headless,
        "args": capture_flags(
            ca_spki_sha256_b64=ca_spki_sha256_b64,
            headless=headless,
            window=window,
            root=running_as_root,
            disable_gpu=disable_gpu,
            extra=extra,
        ),
        "ignore_default_args": [*IGNORED_DEFAULT_ARGS, *(["--mute-audio"] if sound else [])],
        # Playwright adds --no-sandbox unless asked for the sandbox.
        "chromium_sandbox": not running_as_root,
        "viewport": {"width": width, "height": height},
        "screen": {"width": width, "height": height},
        "device_scale_factor": 1,
        "accept_downloads": False,
        "service_workers": "allow",
        "timeout": timeout_ms,
        # The engine's own thread owns the browser: Playwright must not install signal
        # handlers (they only work in the main thread anyway).
        "handle_sigint": False,
        "handle_sigterm": False,
        "handle_sighup": False,
    }
    if proxy is not None:
        options["proxy"] = proxy.playwright()
    return options

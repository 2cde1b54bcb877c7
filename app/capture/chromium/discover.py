"""Find the Chromium-family browser installed on this computer (issue #17).

The capture browser is a browser the machine already has — Debian's ``chromium``, Google
Chrome or Microsoft Edge — driven over CDP by Playwright; nothing is ever downloaded
(never ``playwright install``). ``find_browser()`` looks, in this order:

1. the configured path (the ``configured`` argument) — when one is given and it is not an
   executable file, that is an error, never a silent fall-back to another browser;
2. the usual places of the operating system:

   - Linux: ``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable``,
     ``microsoft-edge`` (``microsoft-edge-stable``) on ``PATH``, then in ``/usr/bin`` and
     ``/snap/bin``;
   - Windows: ``Microsoft\\Edge\\Application\\msedge.exe`` and
     ``Google\\Chrome\\Application\\chrome.exe`` under ``%ProgramFiles%``,
     ``%ProgramFiles(x86)%`` and ``%LocalAppData%``;
   - macOS: Google Chrome, Microsoft Edge and Chromium in ``/Applications`` (then
     ``~/Applications``).

The version is asked of the browser (``<exe> --version``, a short timeout, an environment
without secrets) on Linux and macOS. On Windows ``--version`` opens a window instead of
printing, so the version is read from the version-named folder Chrome and Edge keep next to
their executable (``Application\\120.0.6099.109\\``) — no process is run.

The operating system, the environment, the "is it there" check, ``which`` and the version
probe are parameters, so the Windows and macOS rules are tested on Linux.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from forensics.childenv import child_environment
from forensics.errors import InputError

OsName = Literal["linux", "windows", "macos"]

SETTING = "browser.path"
"""The setting that names the browser to use (``quzheng config set browser.path PATH``)."""
VERSION_TIMEOUT_S = 10.0

CHROMIUM = "Chromium"
CHROME = "Google Chrome"
EDGE = "Microsoft Edge"

LINUX_NAMES: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
)
LINUX_DIRS: tuple[str, ...] = ("/usr/bin", "/snap/bin")
WINDOWS_ROOT_VARS: tuple[str, ...] = ("ProgramFiles", "ProgramFiles(x86)", "LocalAppData")
WINDOWS_APPS: tuple[tuple[str, str], ...] = (
    (EDGE, r"Microsoft\Edge\Application\msedge.exe"),
    (CHROME, r"Google\Chrome\Application\chrome.exe"),
)
MACOS_APPS: tuple[tuple[str, str], ...] = (
    (CHROME, "Google Chrome.app/Contents/MacOS/Google Chrome"),
    (EDGE, "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    (CHROMIUM, "Chromium.app/Contents/MacOS/Chromium"),
)

_VERSION_RE = re.compile(r"^\s*(?P<product>.*?)\s*(?P<version>\d+(?:\.\d+){1,3})\b")
_VERSION_DIR_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class BrowserInstall:
    """A Chromium-family browser found on this computer."""

    path: str
    product: str  # "Chromium", "Google Chrome" or "Microsoft Edge"
    version: str | None = None  # "156.0.8078.129", when known


@dataclass(frozen=True)
class Candidate:
    path: str
    product: str


def current_os(platform: str | None = None) -> OsName:
    p = sys.platform if platform is None else platform
    if p.startswith("win") or p == "cygwin":
        return "windows"
    if p == "darwin":
        return "macos"
    return "linux"


def product_of(path: str) -> str:
    """The product a path names, by its file name (``msedge.exe`` → Microsoft Edge)."""
    name = ntpath.basename(path).lower()  # ntpath splits on both / and \
    if "edge" in name:
        return EDGE
    if "chrome" in name and "chromium" not in name:
        return CHROME
    return CHROMIUM


def candidates(
    os_name: OsName,
    environ: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
) -> list[Candidate]:
    """Every place the browser is looked for, in order (duplicates removed)."""
    out: list[Candidate] = []
    if os_name == "windows":
        for var in WINDOWS_ROOT_VARS:
            root = environ.get(var, "")
            if not root:
                continue
            for product, rel in WINDOWS_APPS:
                out.append(Candidate(ntpath.join(root, rel), product))
    elif os_name == "macos":
        home = environ.get("HOME", "")
        roots = ["/Applications", *([posixpath.join(home, "Applications")] if home else [])]
        for root in roots:
            for product, rel in MACOS_APPS:
                out.append(Candidate(posixpath.join(root, rel), product))
    else:
        for name in LINUX_NAMES:
            found = which(name)
            if found:
                out.append(Candidate(found, product_of(name)))
        for folder in LINUX_DIRS:
            for name in LINUX_NAMES:
                out.append(Candidate(posixpath.join(folder, name), product_of(name)))
    seen: set[str] = set()
    unique = []
    for c in out:
        if c.path not in seen:
            seen.add(c.path)
            unique.append(c)
    return unique


def parse_version_output(text: str) -> tuple[str, str] | None:
    """``(product, version)`` from what ``--version`` prints, e.g. ``Chromium
    156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)``; None when unrecognised."""
    for line in text.splitlines():
        m = _VERSION_RE.match(line)
        if m and m.group("product"):
            return m.group("product"), m.group("version")
    return None


def windows_version_from_dir(names: Iterable[str]) -> str | None:
    """The highest ``a.b.c.d`` among the entries next to a Windows ``chrome.exe`` or
    ``msedge.exe`` (Chrome and Edge keep their files in a folder named by the version)."""
    versions = [n for n in names if _VERSION_DIR_RE.match(n)]
    if not versions:
        return None
    return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))


def _run_version(path: str) -> str | None:
    """What ``<path> --version`` prints (None when it fails or takes too long)."""
    try:
        result = subprocess.run(
            [path, "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            env=child_environment(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _list_dir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def read_version(
    path: str,
    os_name: OsName,
    *,
    run_version: Callable[[str], str | None] = _run_version,
    list_dir: Callable[[str], Sequence[str]] = _list_dir,
) -> tuple[str | None, str | None]:
    """``(product, version)`` as the browser reports them (either may be None)."""
    if os_name == "windows":
        return None, windows_version_from_dir(list_dir(ntpath.dirname(path)))
    text = run_version(path)
    parsed = parse_version_output(text) if text else None
    return parsed if parsed else (None, None)


def _is_executable_file(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


# Distribution launchers that are shell scripts around the real program. Debian's
# ``/usr/bin/chromium`` adds flags from ``/etc/chromium.d`` — among them
# ``--load-extension`` with the distribution's extensions and API keys — which a capture
# browser must not get: the real program is started instead.
LINUX_WRAPPED: dict[str, str] = {
    "/usr/bin/chromium": "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser": "/usr/lib/chromium-browser/chromium-browser",
}


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def unwrap(
    path: str,
    *,
    is_script: Callable[[str], bool] = _is_script,
    exists: Callable[[str], bool] = _is_executable_file,
) -> str:
    """The real program behind a distribution's launcher script (``LINUX_WRAPPED``); any
    other path unchanged."""
    real = LINUX_WRAPPED.get(os.path.realpath(path)) or LINUX_WRAPPED.get(path)
    if real and is_script(path) and exists(real):
        return real
    return path


def not_found_error(searched: Sequence[str], configured: str | None = None) -> InputError:
    if configured is not None:
        return InputError(
            f"The configured browser {configured} does not exist or is not a program. "
            f"Set the path of Chromium, Google Chrome or Microsoft Edge with "
            f"'quzheng config set {SETTING} PATH'.",
            f"所配置的浏览器 {configured} 不存在或不是可执行程序。请用"
            f"“quzheng config set {SETTING} 路径”设置 Chromium、Google Chrome 或 Microsoft Edge 的路径。",
        )
    listed = "\n  ".join(searched)
    return InputError(
        "No Chromium-family browser (Chromium, Google Chrome, Microsoft Edge) was found. "
        f"Install one, or set its path with 'quzheng config set {SETTING} PATH'. "
        f"Searched:\n  {listed}",
        "未找到 Chromium 系浏览器（Chromium、Google Chrome、Microsoft Edge）。请安装其中之一，"
        f"或用“quzheng config set {SETTING} 路径”设置其路径。已查找：\n  {listed}",
    )


def find_browser(
    configured: str | os.PathLike[str] | None = None,
    *,
    os_name: OsName | None = None,
    environ: Mapping[str, str] | None = None,
    exists: Callable[[str], bool] = _is_executable_file,
    which: Callable[[str], str | None] | None = None,
    run_version: Callable[[str], str | None] = _run_version,
    list_dir: Callable[[str], Sequence[str]] = _list_dir,
    probe_version: bool = True,
) -> BrowserInstall:
    """The browser to capture with. Raises ``InputError`` (naming what was searched and
    how to configure a browser) when there is none."""
    osn = current_os() if os_name is None else os_name
    env = os.environ if environ is None else environ
    if which is None:
        path_var = env.get("PATH", "")

        def which(name: str) -> str | None:
            return shutil.which(name, path=path_var)

    if configured is not None and str(configured).strip():
        path = os.fspath(configured)
        if not exists(path):
            raise not_found_error([path], configured=path)
        found = Candidate(path, product_of(path))
    else:
        searched = candidates(osn, env, which)
        hit = next((c for c in searched if exists(c.path)), None)
        if hit is None:
            raise not_found_error([c.path for c in searched])
        found = hit
        if osn == "linux":
            found = Candidate(unwrap(found.path, exists=exists), found.product)
    product, version = found.product, None
    if probe_version:
        reported, version = read_version(
            found.path, osn, run_version=run_version, list_dir=list_dir
        )
        if reported and reported.strip():
            product = reported.strip()
    return BrowserInstall(found.path, product, version)

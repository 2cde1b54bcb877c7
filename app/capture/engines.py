"""Which browser a capture session uses, and the type of either.

The capture browser is a Chromium-family browser installed on the machine (Chromium,
Google Chrome, Microsoft Edge), driven over CDP (``app.capture.chromium``): it plays what
real platforms serve (H.264, AAC, HTTP-FLV and HLS players). Qt WebEngine as shipped in
PySide6 (``app.capture.browser``) is kept only as a clearly labelled fallback for a machine
with no Chromium-family browser: it cannot play H.264 or AAC, so live rooms and product
videos stay black in it; a session that uses it says so in its ``session.start`` entry and
warns the officer.

``CaptureOptions.browser``: ``"auto"`` (the default: Chromium-family if one is found, else
the fallback, with the warning), ``"chromium"`` (a Chromium-family browser or an error) or
``"qtwebengine"`` (the fallback, on purpose).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from app.capture.browser import SessionBrowser
from app.capture.chromium.browser import ChromiumBrowser
from app.capture.chromium.discover import BrowserInstall, find_browser
from forensics.errors import InputError

type CaptureBrowser = SessionBrowser | ChromiumBrowser

ENGINES: Final = ("auto", "chromium", "qtwebengine")
FALLBACK_EN: Final = (
    "No Chromium-family browser (Chromium, Google Chrome, Microsoft Edge) was found: this "
    "session uses the built-in fallback browser, which cannot play H.264/AAC video (live "
    "rooms and product videos stay black). Install one, or set browser.path."
)
FALLBACK_ZH: Final = (
    "未找到 Chromium 系浏览器（Chromium、Google Chrome、Microsoft Edge）：本次取证使用内置备用"
    "浏览器，无法播放 H.264/AAC 视频（直播间和商品视频将为黑屏）。请安装上述浏览器或设置 browser.path。"
)


def choose_browser(
    engine: str, configured: str | None, warn: Callable[[str, str], None]
) -> BrowserInstall | None:
    """The Chromium-family browser to use, or ``None`` for the Qt WebEngine fallback."""
    if engine not in ENGINES:
        raise InputError(
            f"unknown capture browser {engine!r} (one of {', '.join(ENGINES)})",
            f"未知的取证浏览器 {engine!r}（可选 {', '.join(ENGINES)}）",
        )
    if engine == "qtwebengine":
        return None
    try:
        return find_browser(configured or None)
    except InputError:
        if engine == "chromium" or configured:
            raise
        warn(FALLBACK_EN, FALLBACK_ZH)
        return None

"""Chromium's flags: the proxy on loopback, the proxy CA pinned by SPKI, set before Qt starts."""

from __future__ import annotations

import shlex

import pytest
from PySide6.QtWidgets import QApplication

from app.capture.browser import (
    FLAGS_ENV,
    BrowserConfig,
    chromium_environment,
    chromium_flags,
    configure_chromium,
)
from forensics.errors import CaptureError

CONFIG = BrowserConfig("http://127.0.0.1:41234", "q1w2e3r4t5y6u7i8o9p0AAAAAAAAAAAAAAAAAAAAAAA=")


def test_flags_point_at_the_proxy_and_pin_its_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUZHENG_CHROMIUM_LOG", raising=False)
    flags = chromium_flags(CONFIG, root=False)
    assert flags == [
        "--proxy-server=http://127.0.0.1:41234",
        "--proxy-bypass-list=<-loopback>",
        "--ignore-certificate-errors-spki-list=" + CONFIG.ca_spki_sha256_b64,
        "--disable-checker-imaging",
        "--log-level=3",
        "--disable-gpu",
    ]
    assert "--no-sandbox" in chromium_flags(CONFIG, root=True)
    monkeypatch.setenv("QUZHENG_CHROMIUM_LOG", "1")  # Chromium's log kept for diagnosis
    assert "--log-level=3" not in chromium_flags(CONFIG, root=False)


def test_earlier_flags_cannot_redirect_or_widen_trust() -> None:
    env = chromium_environment(
        CONFIG,
        "--log-level=3 --proxy-server=http://10.0.0.1:3128 --ignore-certificate-errors "
        "--no-proxy-server --proxy-pac-url=http://evil/pac",
        root=True,
    )
    flags = shlex.split(env[FLAGS_ENV])
    assert flags[0] == "--log-level=3"  # unrelated flags are kept
    assert [f for f in flags if f.startswith("--proxy-server")] == [
        "--proxy-server=http://127.0.0.1:41234"
    ]
    assert "--ignore-certificate-errors" not in flags and "--no-proxy-server" not in flags
    assert not any("pac" in f for f in flags)
    assert env["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_only_a_loopback_proxy() -> None:
    with pytest.raises(CaptureError):
        chromium_flags(BrowserConfig("http://192.168.1.5:8080", "x"))
    with pytest.raises(CaptureError):
        BrowserConfig.from_disclosure("http://127.0.0.1:1", {"ca_spki_sha256_b64": ""})


def test_refused_once_qt_has_started(qapp: QApplication) -> None:
    env: dict[str, str] = {}
    with pytest.raises(CaptureError, match="before the Qt application starts"):
        configure_chromium(CONFIG, env)
    assert env == {}  # nothing half-set

"""The capture browser's command line and launch options (pure)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from app.capture.chromium.flags import (
    IGNORED_DEFAULT_ARGS,
    ProxyConfig,
    capture_flags,
    check_spki,
    launch_options,
)
from forensics.errors import CaptureError

SPKI = base64.b64encode(hashlib.sha256(b"a proxy CA key").digest()).decode()
SECRET = "s" * 43


def test_the_flags_of_a_headless_capture_browser_as_root() -> None:
    flags = capture_flags(ca_spki_sha256_b64=SPKI, headless=True, window=(1366, 768), root=True)
    assert flags == [
        "--proxy-bypass-list=<-loopback>",
        f"--ignore-certificate-errors-spki-list={SPKI}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-sync",
        "--disable-checker-imaging",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1366,768",
        "--headless=new",
        "--no-sandbox",
    ]


def test_headed_and_not_root_keeps_the_sandbox_and_shows_a_window() -> None:
    flags = capture_flags(ca_spki_sha256_b64=SPKI, headless=False, root=False)
    assert "--no-sandbox" not in flags
    assert not any(f.startswith("--headless") for f in flags)
    assert "--window-size=1280,800" in flags


def test_no_pin_without_a_proxy_ca_and_gpu_off_on_request() -> None:
    flags = capture_flags(ca_spki_sha256_b64=None, headless=True, root=False, disable_gpu=True)
    assert not any(f.startswith("--ignore-certificate-errors") for f in flags)
    assert "--disable-gpu" in flags


def test_the_flags_never_carry_a_profile_a_proxy_or_a_secret() -> None:
    options = launch_options(
        executable_path="/usr/bin/chromium",
        headless=True,
        proxy=ProxyConfig("http://127.0.0.1:8080", "quzheng", SECRET),
        ca_spki_sha256_b64=SPKI,
        root=True,
    )
    line = " ".join(options["args"])
    assert SECRET not in line and "quzheng" not in line
    assert "--user-data-dir" not in line and "--proxy-server" not in line
    # The proxy and its credentials go to Playwright, which answers the challenge over CDP.
    assert options["proxy"] == {
        "server": "http://127.0.0.1:8080",
        "username": "quzheng",
        "password": SECRET,
    }
    assert SECRET not in repr(ProxyConfig("http://127.0.0.1:8080", "quzheng", SECRET))


@pytest.mark.parametrize(
    "flag",
    [
        "--user-data-dir=/tmp/x",
        "--proxy-server=http://evil:1",
        "--no-proxy-server",
        "--proxy-bypass-list=*",
        "--ignore-certificate-errors",
        "--ignore-certificate-errors-spki-list=AAAA",
        "--remote-debugging-port=9222",
        "--load-extension=/tmp/ext",
        "about:blank",
    ],
)
def test_extra_flags_cannot_undo_the_setup(flag: str) -> None:
    with pytest.raises(ValueError):
        capture_flags(ca_spki_sha256_b64=SPKI, headless=True, extra=[flag])


def test_harmless_extra_flags_are_appended() -> None:
    flags = capture_flags(
        ca_spki_sha256_b64=SPKI, headless=True, root=False, extra=["--lang=zh-CN"]
    )
    assert flags[-1] == "--lang=zh-CN"


@pytest.mark.parametrize(
    "bad", ["", "AAAA", "not base64!", SPKI + "," + SPKI, base64.b64encode(b"x" * 31).decode()]
)
def test_a_pin_must_be_one_base64_sha256(bad: str) -> None:
    with pytest.raises(CaptureError) as caught:
        check_spki(bad)
    assert caught.value.message_zh != caught.value.message_en
    assert check_spki(SPKI) == SPKI


def test_bad_window_size() -> None:
    with pytest.raises(ValueError):
        capture_flags(ca_spki_sha256_b64=None, headless=True, window=(0, 600))


def test_launch_options_for_playwright() -> None:
    options = launch_options(
        executable_path="/usr/bin/chromium", headless=True, window=(1024, 700), root=True
    )
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["headless"] is True
    assert options["ignore_default_args"] == list(IGNORED_DEFAULT_ARGS) == ["--enable-automation"]
    assert options["chromium_sandbox"] is False  # root: Chromium cannot sandbox itself
    assert options["viewport"] == {"width": 1024, "height": 700}
    assert options["device_scale_factor"] == 1
    assert "proxy" not in options
    assert options["handle_sigint"] is options["handle_sigterm"] is False
    not_root = launch_options(executable_path="/usr/bin/chromium", headless=False, root=False)
    # Playwright adds --no-sandbox unless asked for the sandbox: ask for it.
    assert not_root["chromium_sandbox"] is True
    assert "--no-sandbox" not in not_root["args"]


def test_a_proxy_must_be_on_loopback_and_come_with_its_pin() -> None:
    with pytest.raises(CaptureError):
        launch_options(
            executable_path="/usr/bin/chromium",
            headless=True,
            proxy=ProxyConfig("http://10.0.0.1:8080"),
            ca_spki_sha256_b64=SPKI,
        )
    with pytest.raises(CaptureError) as caught:
        launch_options(
            executable_path="/usr/bin/chromium",
            headless=True,
            proxy=ProxyConfig("http://127.0.0.1:8080"),
            ca_spki_sha256_b64=None,
        )
    assert "根证书" in caught.value.message_zh
    # Without credentials, no username/password keys at all.
    assert ProxyConfig("http://127.0.0.1:1").playwright() == {"server": "http://127.0.0.1:1"}

"""Finding the browser: every operating system's rules, run on Linux with an injected OS,
environment, "exists" check and version probe; and once for real, on this machine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from app.capture.chromium import discover
from app.capture.chromium.discover import (
    CHROME,
    CHROMIUM,
    EDGE,
    BrowserInstall,
    candidates,
    current_os,
    find_browser,
    parse_version_output,
    product_of,
    read_version,
    windows_version_from_dir,
)
from forensics.errors import InputError

WIN_ENV = {
    "ProgramFiles": r"C:\Program Files",
    "ProgramFiles(x86)": r"C:\Program Files (x86)",
    "LocalAppData": r"C:\Users\officer\AppData\Local",
    "PATH": r"C:\Windows",
}
EDGE_X86 = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"
CHROME_LOCAL = r"C:\Users\officer\AppData\Local\Google\Chrome\Application\chrome.exe"


def only(*paths: str) -> Callable[[str], bool]:
    present = set(paths)
    return lambda p: p in present


def no_which(_name: str) -> str | None:
    return None


def must_not_run(path: str) -> str | None:
    raise AssertionError(f"ran {path}")


# ------------------------------------------------------------------ pure parts


def test_current_os_names() -> None:
    assert current_os("linux") == "linux"
    assert current_os("win32") == "windows"
    assert current_os("cygwin") == "windows"
    assert current_os("darwin") == "macos"
    assert current_os("freebsd14") == "linux"


@pytest.mark.parametrize(
    ("path", "product"),
    [
        ("/usr/bin/chromium", CHROMIUM),
        ("/usr/bin/chromium-browser", CHROMIUM),
        ("/snap/bin/chromium", CHROMIUM),
        ("/usr/bin/google-chrome-stable", CHROME),
        ("/usr/bin/microsoft-edge", EDGE),
        (EDGE_X86, EDGE),
        (CHROME_LOCAL, CHROME),
        ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", CHROME),
        ("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge", EDGE),
        ("/Applications/Chromium.app/Contents/MacOS/Chromium", CHROMIUM),
    ],
)
def test_product_from_the_file_name(path: str, product: str) -> None:
    assert product_of(path) == product


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)\n",
            ("Chromium", "156.0.8078.129"),
        ),
        ("Google Chrome 120.0.6099.109 \n", ("Google Chrome", "120.0.6099.109")),
        ("Microsoft Edge 120.0.2210.91 dev\n", ("Microsoft Edge", "120.0.2210.91")),
        ("Chromium 120.0.6099.224 snap\n", ("Chromium", "120.0.6099.224")),
        (
            "\nGoogle Chrome for Testing 131.0.6778.85\n",
            ("Google Chrome for Testing", "131.0.6778.85"),
        ),
        ("", None),
        ("no version here\n", None),
        ("120.0.1.2\n", None),  # a number without a product name
    ],
)
def test_version_output_is_parsed(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_version_output(text) == expected


def test_windows_version_is_the_highest_version_folder() -> None:
    names = ["msedge.exe", "119.0.2151.97", "120.0.2210.91", "9.0.0.1", "SetupMetrics", "1.2.3"]
    assert windows_version_from_dir(names) == "120.0.2210.91"
    assert windows_version_from_dir(["chrome.exe", "chrome_proxy.exe"]) is None


def test_windows_version_is_read_from_the_folder_never_by_running_the_browser() -> None:
    listed: list[str] = []

    def list_dir(folder: str) -> list[str]:
        listed.append(folder)
        return ["msedge.exe", "120.0.2210.91"]

    product, version = read_version(
        EDGE_X86, "windows", run_version=must_not_run, list_dir=list_dir
    )
    assert (product, version) == (None, "120.0.2210.91")
    assert listed == [r"C:\Program Files (x86)\Microsoft\Edge\Application"]


def test_unix_version_comes_from_dash_dash_version() -> None:
    asked: list[str] = []

    def run(path: str) -> str | None:
        asked.append(path)
        return "Google Chrome 120.0.6099.109\n"

    assert read_version("/x/chrome", "macos", run_version=run) == (
        "Google Chrome",
        "120.0.6099.109",
    )
    assert asked == ["/x/chrome"]
    assert read_version("/x/chrome", "linux", run_version=lambda _p: None) == (None, None)


# ------------------------------------------------------------------ where it looks


def test_linux_order_path_first_then_usr_bin_then_snap() -> None:
    which = {"google-chrome": "/opt/google/chrome/google-chrome"}.get
    paths = [c.path for c in candidates("linux", {}, which)]
    assert paths[0] == "/opt/google/chrome/google-chrome"
    assert paths[1:7] == [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
        "/usr/bin/microsoft-edge",
        "/usr/bin/microsoft-edge-stable",
    ]
    assert "/snap/bin/chromium" in paths
    assert len(paths) == len(set(paths))


def test_linux_path_hit_wins_over_usr_bin() -> None:
    which = {"chromium": "/home/o/bin/chromium"}.get
    found = find_browser(
        os_name="linux",
        environ={},
        which=which,
        exists=only("/home/o/bin/chromium", "/usr/bin/chromium"),
        run_version=lambda _p: "Chromium 156.0.8078.129 built on Debian GNU/Linux 12\n",
    )
    assert found == BrowserInstall("/home/o/bin/chromium", "Chromium", "156.0.8078.129")


def test_linux_uses_the_path_of_the_given_environment() -> None:
    seen: list[str] = []

    def exists(path: str) -> bool:
        seen.append(path)
        return path == "/snap/bin/chromium"

    found = find_browser(
        os_name="linux", environ={"PATH": "/nonexistent-q17"}, exists=exists, probe_version=False
    )
    assert found == BrowserInstall("/snap/bin/chromium", CHROMIUM, None)
    assert seen.index("/usr/bin/chromium") < seen.index("/snap/bin/chromium")


def test_windows_edge_then_chrome_under_program_files_x86_and_local_app_data() -> None:
    paths = [c.path for c in candidates("windows", WIN_ENV, no_which)]
    assert paths == [
        r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        EDGE_X86,
        r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
        r"C:\Users\officer\AppData\Local\Microsoft\Edge\Application\msedge.exe",
        CHROME_LOCAL,
    ]
    found = find_browser(
        os_name="windows",
        environ=WIN_ENV,
        exists=only(EDGE_X86, CHROME_LOCAL),
        run_version=must_not_run,
        list_dir=lambda _d: ["120.0.2210.91", "msedge.exe"],
    )
    assert found == BrowserInstall(EDGE_X86, EDGE, "120.0.2210.91")


def test_windows_chrome_for_one_user_only() -> None:
    found = find_browser(
        os_name="windows",
        environ=WIN_ENV,
        exists=only(CHROME_LOCAL),
        run_version=must_not_run,
        list_dir=lambda _d: [],
    )
    assert found == BrowserInstall(CHROME_LOCAL, CHROME, None)


def test_windows_without_the_variables_searches_nothing() -> None:
    assert candidates("windows", {}, no_which) == []
    with pytest.raises(InputError):
        find_browser(os_name="windows", environ={}, exists=lambda _p: True)


def test_macos_chrome_edge_chromium_in_applications_then_home() -> None:
    paths = [c.path for c in candidates("macos", {"HOME": "/Users/o"}, no_which)]
    assert paths[:3] == [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
    ]
    assert paths[3] == "/Users/o/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    edge = "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"
    found = find_browser(
        os_name="macos",
        environ={"HOME": "/Users/o"},
        exists=only(edge),
        run_version=lambda _p: "Microsoft Edge 120.0.2210.91\n",
    )
    assert found == BrowserInstall(edge, EDGE, "120.0.2210.91")


# ------------------------------------------------------------------ configured, none


def test_a_configured_path_comes_first() -> None:
    found = find_browser(
        "/opt/custom/chrome",
        os_name="linux",
        environ={},
        which=no_which,
        exists=only("/opt/custom/chrome", "/usr/bin/chromium"),
        run_version=lambda _p: "Google Chrome 131.0.6778.85\n",
    )
    assert found == BrowserInstall("/opt/custom/chrome", "Google Chrome", "131.0.6778.85")


def test_a_configured_path_that_is_missing_is_an_error_not_a_fallback() -> None:
    with pytest.raises(InputError) as caught:
        find_browser(
            Path("/opt/missing/chrome"),
            os_name="linux",
            environ={},
            which=no_which,
            exists=only("/usr/bin/chromium"),
        )
    err = caught.value
    assert "/opt/missing/chrome" in err.message_en and "/opt/missing/chrome" in err.message_zh
    assert f"quzheng config set {discover.SETTING}" in err.message_en
    assert discover.SETTING in err.message_zh


def test_an_empty_configured_value_means_not_configured() -> None:
    found = find_browser(
        "  ", os_name="linux", environ={}, which=no_which, exists=only("/usr/bin/chromium"),
        probe_version=False,
    )  # fmt: skip
    assert found.path == "/usr/bin/chromium"


@pytest.mark.parametrize("os_name", ["linux", "windows", "macos"])
def test_nothing_found_names_every_place_searched_and_how_to_configure(os_name: str) -> None:
    env = {**WIN_ENV, "HOME": "/Users/o"}
    with pytest.raises(InputError) as caught:
        find_browser(os_name=os_name, environ=env, which=no_which, exists=lambda _p: False)  # type: ignore[arg-type]
    err = caught.value
    searched = [c.path for c in candidates(os_name, env, no_which)]  # type: ignore[arg-type]
    assert searched
    for path in searched:
        assert path in err.message_en and path in err.message_zh
    assert "Chromium" in err.message_en and "Microsoft Edge" in err.message_en
    assert f"quzheng config set {discover.SETTING} PATH" in err.message_en
    assert "未找到" in err.message_zh
    assert str(err) == err.message_en


def test_a_version_probe_failure_still_finds_the_browser() -> None:
    found = find_browser(
        os_name="linux",
        environ={},
        which=no_which,
        exists=only("/usr/bin/microsoft-edge"),
        run_version=lambda _p: None,
    )
    assert found == BrowserInstall("/usr/bin/microsoft-edge", EDGE, None)


# ------------------------------------------------------------------ this machine


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="no /usr/bin/chromium here")
def test_this_machine_finds_debians_chromium_and_its_version() -> None:
    found = find_browser("/usr/bin/chromium")
    assert found.path == "/usr/bin/chromium"
    assert found.product == "Chromium"
    assert found.version is not None and found.version.count(".") == 3
    assert int(found.version.split(".")[0]) >= 100
    # Without a configured path it is found on PATH or in /usr/bin.
    assert find_browser(probe_version=False).product in {CHROMIUM, CHROME, EDGE}


def test_the_version_probe_sees_no_secret_of_ours(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A fake "browser" that prints its environment: the probe's child gets no secret.
    fake = tmp_path / "chromium"
    fake.write_text('#!/bin/sh\necho "Chromium 1.2.3.4 $QUZHENG_PASSPHRASE"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("QUZHENG_PASSPHRASE", "hunter2-q17")
    found = find_browser(str(fake))
    assert found.version == "1.2.3.4"
    assert found.product == "Chromium"
    text = discover._run_version(str(fake))
    assert text is not None and "hunter2" not in text

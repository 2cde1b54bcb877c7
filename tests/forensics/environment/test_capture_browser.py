"""The clean-environment check covers the browser the session captures with."""

from __future__ import annotations

from pathlib import Path

from forensics.environment.host import capture_browser_check
from forensics.environment.model import OK, UNAVAILABLE, WARNING


def _record(path: Path) -> dict[str, object]:
    return {
        "engine": "chromium-cdp",
        "product": "Chromium",
        "version": "156.0.8078.129",
        "path": str(path),
        "program_sha256": "ab" * 32,
    }


def test_the_browser_used_is_named_with_its_build(tmp_path: Path) -> None:
    program = tmp_path / "chromium"
    program.write_bytes(b"\x7fELF")
    profile = tmp_path / "profile"
    profile.mkdir()
    check = capture_browser_check(_record(program), profile)
    assert check.status == OK
    assert check.data["program_present"] is True and check.data["profile_extensions"] == 0
    assert "Chromium 156.0.8078.129" in check.summary_en and "abababab" in check.summary_en


def test_extensions_a_missing_program_and_the_fallback_are_warnings(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    (profile / "Default" / "Extensions" / "abcdef").mkdir(parents=True)
    check = capture_browser_check(_record(tmp_path / "gone"), profile)
    assert check.status == WARNING
    assert {r.code for r in check.reasons} == {"browser-missing", "browser-extensions"}
    fallback = capture_browser_check({"engine": "qtwebengine"}, profile)
    assert fallback.status == WARNING and fallback.reasons[0].code == "fallback-browser"
    assert capture_browser_check(None, None).status == UNAVAILABLE

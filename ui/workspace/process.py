"""``python -m ui.workspace --stdin``: one capture session in a process of its own.

Reads ``{"config": WorkspaceConfig, "passphrase": "…"}`` from stdin, unlocks the lead's key,
starts the session (proxy, ``session.start``, clean-environment check) *before* the Qt
application exists — the fallback browser's proxy flags are fixed when Qt WebEngine
starts — then opens the session's browser (a Chromium-family browser in its own window, or
headless without a display; else the Qt WebEngine fallback) and the workspace, and reports
on stdout (``app.desk.workspace_protocol``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from app.desk.session import Prepared, prepare
from app.desk.workspace_protocol import WorkspaceConfig, event_line
from app.installation import Installation
from forensics.errors import InputError, QuzhengError


def emit(event: str, **fields: Any) -> None:
    print(event_line(event, **fields), flush=True)


def open_workspace(prepared: Prepared, lang: str) -> Any:
    """After ``prepare``: configure Qt WebEngine's Chromium (used by the fallback), make the
    application, open the session's browser and the workspace (not shown yet)."""
    from app.capture.browser import configure_chromium, ensure_application
    from app.desk.i18n import install_translators
    from ui.workspace.window import WorkspaceWindow

    session = prepared.session
    try:
        configure_chromium(session.browser_config)
        app = ensure_application()
        app.setApplicationName("Quzheng")
        app.setProperty("quzheng_translators", install_translators(app, lang))
        browser = session.open_browser()
        window = WorkspaceWindow(
            session, browser, prepared.inst, lang, tsa=prepared.tsa, report=emit
        )
    except BaseException:
        session.abandon()
        raise
    if prepared.config.target_url:
        with contextlib.suppress(QuzhengError):  # the officer types another address
            browser.navigate(prepared.config.target_url)
    return window


def _read_input(argv: Sequence[str]) -> tuple[WorkspaceConfig, str]:
    if "--stdin" not in argv:
        raise InputError(
            "usage: python -m ui.workspace --stdin", "用法：python -m ui.workspace --stdin"
        )
    try:
        raw = json.loads(sys.stdin.readline())
        return WorkspaceConfig.from_json(json.dumps(raw["config"])), str(raw["passphrase"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"bad workspace input ({exc})", f"取证工作区输入有误（{exc}）") from None


def main(argv: Sequence[str]) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        config, passphrase = _read_input(argv)
        emit("starting")
        prepared = prepare(Installation.current(), config, passphrase)
    except QuzhengError as exc:
        emit("error", en=exc.message_en, zh=exc.message_zh)
        return 2
    try:
        window = open_workspace(prepared, config.lang)
    except QuzhengError as exc:
        prepared.case.close()
        emit("error", en=exc.message_en, zh=exc.message_zh)
        return 2
    from PySide6.QtWidgets import QApplication

    window.show()
    window.begin()
    emit("ready", session=prepared.session.session_id)
    try:
        code = QApplication.exec()
    finally:
        if window.summary is None:  # the loop ended without a closed session
            prepared.session.abandon()
        prepared.case.close()
    return int(code)

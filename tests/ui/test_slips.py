"""Small slips of the first day, each fixed: the verify dialog forgets the last package's
findings, export and report offer to open what they wrote, an OS error reads in one
language with the folder the person chose, and a crashed workspace is explained in words
instead of with the browser's last log line."""

from __future__ import annotations

import errno
import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.desk.crash import crash_error, last_own_line
from app.desk.errors import explain
from app.desk.workspace_protocol import WorkspaceConfig
from app.installation import Installation
from forensics.timestamp import TsaServer
from tests.conftest import World
from tests.received import export_complete_case
from tests.ui.helpers import complete_case
from ui.dialogs.error import ErrorDialog
from ui.dialogs.report import ReportDialog
from ui.dialogs.verify import VerifyDialog
from ui.main_window import MainWindow

ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}")
CHROMIUM_LINE = (
    "[1206/153012.123456:ERROR:gpu_init.cc(523)] Passthrough is not supported, GL is disabled"
)


class Opened(QObject):
    """Where ``QDesktopServices.openUrl`` was sent (Qt's own URL-handler hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def take(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


def test_verify_forgets_the_last_package_after_an_error(
    qtbot: QtBot, world: World, tsa: TsaServer, tmp_path: Path, zh: str
) -> None:
    export_complete_case(world, tsa, tmp_path)
    dialog = VerifyDialog(Installation(world.home), zh)
    qtbot.addWidget(dialog)
    dialog.package.setText(str(tmp_path / "case.qzp"))
    with qtbot.waitSignal(dialog.verified):
        dialog.start()
    assert dialog.model.rowCount() > 0 and dialog.report is not None
    broken = tmp_path / "broken.qzp"
    broken.write_bytes(b"PK\x03\x04 not a package")
    dialog.package.setText(str(broken))
    dialog.start()
    assert dialog.report is None and dialog.model.rowCount() == 0
    assert dialog.verdict.text().startswith("无法校验")
    dialog.package.setText(str(tmp_path / "missing.qzp"))
    dialog.start()
    assert dialog.model.rowCount() == 0 and dialog.verdict.text() == "请选择证据包文件。"


def test_the_report_offers_to_open_the_pdf_and_its_folder(
    qtbot: QtBot, world: World, tmp_path: Path, zh: str
) -> None:
    with complete_case(world.home, world.lead, world.second, tmp_path) as case:
        case_id = case.case_id
    dialog = ReportDialog(Installation(world.home), case_id, zh)
    qtbot.addWidget(dialog)
    opens = dialog.open_buttons
    assert opens.file is not None
    assert opens.folder.isHidden() and opens.file.isHidden()  # nothing written yet
    (tmp_path / "out").mkdir()
    dialog.out.setText(str(tmp_path / "out" / "笔录.pdf"))
    with qtbot.waitSignal(dialog.written, timeout=60_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not opens.folder.isHidden() and opens.folder.text() == "打开所在文件夹"
    assert opens.file.text() == "打开 PDF"
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "take")  # type: ignore[arg-type]  # str at run time
    try:
        opens.folder.click()
        opens.file.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened.urls == [str(tmp_path / "out"), str(tmp_path / "out" / "笔录.pdf")]


def test_os_errors_read_in_one_language_with_the_chosen_folder(tmp_path: Path) -> None:
    work = tmp_path / "只读" / ".case.qzp.a1b2c3.tmp"
    denied = PermissionError(errno.EACCES, "Permission denied", str(work))
    assert explain(denied, "zh_CN") == f"无法写入文件夹 {tmp_path / '只读'}：没有权限"
    assert explain(denied, "en") == f"cannot write to {tmp_path / '只读'}: Permission denied"
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "case.qzp"))
    assert explain(full, "zh_CN") == f"无法读写 {tmp_path / 'case.qzp'}：磁盘空间不足"
    for exc in (denied, full):
        assert "Permission" not in explain(exc, "zh_CN") and "space" not in explain(exc, "zh")


def test_a_crashed_workspace_is_explained_without_the_browser_log(
    qtbot: QtBot, world: World, zh: str
) -> None:
    stub = (
        "import json, os, signal, sys\n"
        "sys.stdin.readline()\n"
        "print(json.dumps({'event': 'ready'}), flush=True)\n"
        f"sys.stderr.write({CHROMIUM_LINE!r} + '\\n'); sys.stderr.flush()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    window = MainWindow(Installation(world.home), zh, workspace=[sys.executable, "-c", stub])
    qtbot.addWidget(window)
    window.show()
    proc = window.launch_workspace(WorkspaceConfig("case-1", "31000001"), "p")
    with qtbot.waitSignal(proc.finished, timeout=20_000) as finished:
        pass
    assert finished.args[0] == -9  # a signal, told apart from an exit code
    dialogs = [d for d in window.findChildren(ErrorDialog) if d.isVisible()]
    assert len(dialogs) == 1
    text = dialogs[0].message
    assert "SIGKILL" in text and "内存不足" in text
    assert "gpu_init" not in text and "Passthrough" not in text
    dialogs[0].close()


def test_the_last_own_line_skips_the_browser_log() -> None:
    stderr = "\n".join(
        ["Traceback (most recent call last):", '  File "x.py", line 1',
         "RuntimeError: the recorder's queue is full", CHROMIUM_LINE,
         "DevTools listening on ws://127.0.0.1:9222/devtools/browser/x"]
    )  # fmt: skip
    assert last_own_line(stderr) == "RuntimeError: the recorder's queue is full"
    err = crash_error(1, stderr)
    assert "退出码 1" in err.message_zh and "the recorder's queue is full" in err.message_zh
    assert last_own_line(CHROMIUM_LINE) == ""


def test_an_export_to_a_folder_that_cannot_be_written_reads_in_chinese(
    world: World, tmp_path: Path
) -> None:
    """The core's messages name the folder and the cause in Chinese (no OS English)."""
    import os

    import pytest

    from app.desk import cases
    from forensics.errors import QuzhengError, os_reason

    with complete_case(world.home, world.lead, world.second, tmp_path) as case:
        case_id = case.case_id
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(QuzhengError) as refused:
        cases.export_case(Installation(world.home), case_id, world.lead, blocked / "case.qzp")
    zh = refused.value.message_zh
    assert str(blocked) in zh and not ENGLISH_WORDS.search(zh.replace(str(blocked), "")), zh
    for code in (errno.EROFS, errno.EACCES, errno.ENOSPC, errno.EXDEV):
        en, zh = os_reason(OSError(code, os.strerror(code)))
        assert en == os.strerror(code) and not ENGLISH_WORDS.search(zh.replace("EXDEV", ""))


def test_core_read_errors_and_resolver_failures_read_in_chinese(tmp_path: Path) -> None:
    """A file the core cannot read, and a name the resolver cannot find, are explained in
    Chinese words (the OS and the resolver speak English only)."""
    import socket

    import pytest

    from forensics.errors import QuzhengError, os_reason
    from forensics.hashing import digest_file

    with pytest.raises(QuzhengError) as missing:
        digest_file(tmp_path)  # a folder where a file should be
    zh = missing.value.message_zh
    assert "不是文件" in zh
    assert not ENGLISH_WORDS.search(zh.replace(str(tmp_path), "")), zh
    try:
        socket.getaddrinfo("no-such-host.invalid", 443)
    except socket.gaierror as exc:
        en, zh = os_reason(exc)
        assert en and "无法解析该主机名" in zh and not ENGLISH_WORDS.search(zh)
    else:
        pytest.fail("a .invalid name resolved")

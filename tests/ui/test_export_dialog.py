"""The export dialog when things go wrong, offscreen, with a real case, TSA and files: a target
that refuses files leaves the ledger untouched; a backup that fails after the package was
written and sealed is said as such, and retried alone; the written package's folder can be
opened from the dialog."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.installation import Installation
from forensics.case import Case
from forensics.timestamp import TsaServer
from tests.conftest import World
from tests.received import use_tsa
from tests.ui.conftest import save_screenshot
from tests.ui.helpers import complete_case
from ui.dialogs.export import ExportDialog
from ui.dialogs.open_buttons import OpenButtons


@pytest.fixture
def ready(world: World, tsa: TsaServer, tmp_path: Path) -> str:
    """A complete, closed case that may be exported; its id."""
    use_tsa(world.home, tsa)
    case = complete_case(world.home, world.lead, world.second, tmp_path)
    case.close()
    return case.case_id


def ledger(world: World, case_id: str) -> list[tuple[int, str]]:
    with Case.open(world.home, case_id) as case:
        return [(r.seq, r.kind) for r in case.ledger.records()]


def disk_full_at(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[object]:
    """``os.replace`` onto ``target`` fails as a full disk would; the rest works. The list
    fills when the failure is reached."""
    real, hit = os.replace, []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == target:
            hit.append(dst)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return hit


def dialog(qtbot: QtBot, world: World, case_id: str) -> ExportDialog:
    d = ExportDialog(Installation(world.home), case_id, world.lead, "zh_CN")
    qtbot.addWidget(d)
    d.show()
    return d


def test_a_folder_that_refuses_the_package_leaves_no_entry(
    qtbot: QtBot, world: World, ready: str, zh: str
) -> None:
    before = ledger(world, ready)
    d = dialog(qtbot, world, ready)
    d.out.setText("/proc/quzheng-export-test.qzp")  # refuses a new file, root included
    d.start()
    shown = d.message.text()
    assert shown.startswith("导出失败") and "/proc" in shown
    assert shown.endswith("。案件中已封存的内容未被改变。") and "。。" not in shown, shown
    assert d.result_ is None and not d.backup_retry.button.isVisible()
    opens = d.buttons.findChild(QPushButton, "openFolder")
    assert opens is None or not opens.isVisible()  # nothing written: nothing to open
    assert ledger(world, ready) == before  # no package.export, no note: nothing at all
    assert not Path("/proc/quzheng-export-test.qzp").exists()
    save_screenshot(d, "export-failed.png")


def test_a_disk_that_fills_while_writing_leaves_no_entry(
    qtbot: QtBot,
    world: World,
    ready: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zh: str,
) -> None:
    """The package is written, then the disk is full as it is renamed into place: nothing
    is left, the ledger records no export, and the dialog says both in Chinese."""
    out = tmp_path / "out"
    out.mkdir()
    hit = disk_full_at(monkeypatch, out / "case.qzp")
    d = dialog(qtbot, world, ready)
    d.out.setText(str(out / "case.qzp"))
    d.start()
    qtbot.waitUntil(lambda: d.message.text().startswith("导出失败"), timeout=60_000)
    assert hit, "the injected failure was not reached"
    shown = d.message.text()
    assert "未留下任何文件，账本未记录本次导出" in shown and "No space" not in shown, shown
    assert d.result_ is None and list(out.iterdir()) == []
    assert "package.export" not in [k for _, k in ledger(world, ready)]


def test_a_failed_backup_is_said_as_such_and_retried_alone(
    qtbot: QtBot,
    world: World,
    ready: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zh: str,
) -> None:
    out, usb = tmp_path / "out", tmp_path / "usb"
    out.mkdir()
    usb.mkdir()
    # The backup disk is full when the backup's seal is written (the package is complete).
    hit = disk_full_at(monkeypatch, usb / "case.qzp.seal.json")
    d = dialog(qtbot, world, ready)
    d.out.setText(str(out / "case.qzp"))
    d.backup.setText(str(usb))
    with qtbot.waitSignal(d.exported) as got:
        d.start()
    assert hit, "the injected failure was not reached"
    result = got.args[0]
    assert result.backup_error is not None and result.path == out / "case.qzp"
    state = d.backup_retry.state
    assert state.isVisible() and "已写入并封存" in state.text() and "备份" in state.text()
    assert str(out / "case.qzp") in state.text()
    assert "backup copy failed" not in d.message.text()  # not the core's English, twice
    assert d.backup_retry.button.isVisible() and d.backup_retry.button.isEnabled()
    kinds = [k for _, k in ledger(world, ready)]
    assert kinds.count("package.export") == 1  # the package is the export; it stands
    assert list(usb.iterdir()) == []  # nothing half-copied
    opens = OpenButtons.of(d.buttons)  # the package is there: its folder can be opened
    assert opens.folder.isVisible() and opens.folder.text() == "打开所在文件夹"
    assert opens.path == result.path
    save_screenshot(d, "export-backup-failed.png")

    monkeypatch.undo()  # room on the backup disk again: retry the backup alone
    with qtbot.waitSignal(d.backup_retry.copied) as copied:
        d.backup_retry.button.click()
    copy = copied.args[0]
    assert copy == usb / "case.qzp" and copy.read_bytes() == result.path.read_bytes()
    assert (usb / "case.qzp.seal.json").read_bytes() == result.seal_path.read_bytes()
    assert not d.backup_retry.button.isVisible() and str(copy) in state.text()
    assert [k for _, k in ledger(world, ready)] == kinds  # the retry seals nothing

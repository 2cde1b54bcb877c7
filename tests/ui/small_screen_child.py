"""Every dialog and window on the 1366×768 office laptop, in Chinese, in a child pytest run
(``test_small_screen`` starts it on an offscreen screen of the laptop's available size, see
``screen_fit``). Each opener shows its window with realistic content — a complete case with
each kind of item, findings after a verification, the new-case dialog after a refused Ok —
and the test asserts the window and every visible button are on the screen. The pictures go
to the screenshots folder the parent names (a temporary folder; never docs/ directly).

``OPENERS`` names each window class of ``ui/`` by its class name; the parent fails when a
class has no opener here. The file is not named ``test_*`` so the parent run does not collect
it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget, QWizard
from pytestqt.qtbot import QtBot

from app.installation import Installation
from forensics.errors import CaptureError
from tests.conftest import World
from tests.ui.screen_fit import HEIGHT, WIDTH, place, problems

SCREENSHOTS = (
    Path(os.environ.get("QUZHENG_SCREENSHOTS", ""))
    if os.environ.get("QUZHENG_SCREENSHOTS")
    else None
)


@dataclass
class Ctx:
    world: World
    inst: Installation
    case_id: str
    tmp: Path
    parent: QWidget
    lang: str


type Opener = Callable[[Ctx], list[QWidget]]


def _main(ctx: Ctx) -> list[QWidget]:
    from ui.main_window import MainWindow

    window = MainWindow(ctx.inst, ctx.lang)
    window.show()
    window._refresh_now()
    shown: list[QWidget] = [window]
    window.open_case(ctx.case_id)  # the case view with its long button row
    return shown


def _new_case(ctx: Ctx) -> list[QWidget]:
    from app.desk.officers import list_officers
    from ui.dialogs.new_case import NewCaseDialog

    dialog = NewCaseDialog(ctx.inst, ctx.world.lead, list_officers(ctx.inst), ctx.lang, ctx.parent)
    dialog.show()
    dialog.fields["title"].setText("某网店销售假冒“示例”品牌商品案")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # refused: fields missing
    assert dialog.message.text()
    return [dialog]


def _settings(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.settings import SettingsDialog

    return [SettingsDialog(ctx.inst, ctx.lang, ctx.parent)]


def _wizard(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.wizard import SetupWizard

    wizard = SetupWizard(Installation(ctx.tmp / "fresh-home"), ctx.lang, ctx.parent)
    return [wizard]


def _unlock(ctx: Ctx) -> list[QWidget]:
    from app.desk.officers import list_officers
    from ui.dialogs.unlock import UnlockDialog

    return [UnlockDialog(ctx.inst, list_officers(ctx.inst), ctx.lang, parent=ctx.parent)]


def _export(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.export import ExportDialog

    return [
        ExportDialog(
            ctx.inst, ctx.case_id, ctx.world.lead, ctx.lang,
            suggested=ctx.tmp / "示市监案〔2026〕12号.qzp", parent=ctx.parent,
        )
    ]  # fmt: skip


def _verify(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.verify import VerifyDialog

    dialog = VerifyDialog(ctx.inst, ctx.lang, case_id=ctx.case_id, parent=ctx.parent)
    dialog.show()
    dialog.start()  # the findings table filled
    return [dialog]


def _sessions(ctx: Ctx) -> list[QWidget]:
    from app.desk.cases import load_case
    from ui.dialogs.session import CloseSessionDialog, StartSessionDialog

    details = load_case(ctx.inst, ctx.case_id)
    start = StartSessionDialog(
        ctx.inst, ctx.case_id, ctx.world.lead, "https://shop.range.test/", ctx.lang, ctx.parent
    )
    close = CloseSessionDialog(
        ctx.inst, ctx.world.lead, details.officers, False, ctx.lang, ctx.parent
    )
    return [start, close]


def _transcript(ctx: Ctx) -> list[QWidget]:
    from app.desk.cases import load_case
    from ui.dialogs.transcript import TranscriptDialog

    return [TranscriptDialog(load_case(ctx.inst, ctx.case_id).rows, ctx.lang, ctx.parent)]


def _env_check(ctx: Ctx) -> list[QWidget]:
    from tests.ui.sealed_samples import env_check_data
    from ui.dialogs.env_check import EnvCheckDialog

    return [EnvCheckDialog(env_check_data(), 5, ctx.lang, ctx.parent)]


def _text_entry(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.text_entry import note_dialog, pause_dialog

    return [note_dialog(ctx.parent), pause_dialog(ctx.parent)]


def _error(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.error import ErrorDialog

    exc = CaptureError("the disk is full", "磁盘已满，证据包未能写入：/media/usb/示例.qzp")
    return [ErrorDialog(ctx.parent, "导出证据包", exc, ctx.lang)]


def _add_officer(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.add_officer import AddOfficerDialog

    return [AddOfficerDialog(ctx.inst, ctx.case_id, ctx.world.lead, [], ctx.lang, ctx.parent)]


def _transfer(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.transfer import TransferDialog

    return [
        TransferDialog(
            ctx.inst, ctx.case_id, ctx.world.lead, ctx.lang, package=ctx.tmp / "x.qzp",
            parent=ctx.parent,
        )
    ]  # fmt: skip


def _import_package(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.import_package import ImportPackageDialog

    return [ImportPackageDialog(ctx.inst, ctx.world.lead, ctx.lang, ctx.parent)]


def _report(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.report import ReportDialog

    return [ReportDialog(ctx.inst, ctx.case_id, ctx.lang, suggested=ctx.tmp / "笔录.pdf",
                         parent=ctx.parent)]  # fmt: skip


def _picker(ctx: Ctx) -> list[QWidget]:
    from ui.training.picker import ExercisePickerDialog

    return [ExercisePickerDialog(ctx.lang, "示市监案〔2026〕12号", parent=ctx.parent)]


def _scoreboard(ctx: Ctx) -> list[QWidget]:
    from ui.training.scoreboard import ScoreboardDialog

    return [ScoreboardDialog(ctx.inst, ctx.lang, ctx.parent)]


def _new_officer(ctx: Ctx) -> list[QWidget]:
    from ui.dialogs.officer_profile import NewOfficerDialog

    return [NewOfficerDialog(ctx.inst, ctx.lang, ctx.parent)]


def _issue_certificate(ctx: Ctx) -> list[QWidget]:
    from app.desk.officers import list_officers
    from ui.dialogs.officer_profile import IssueCertificateDialog

    return [IssueCertificateDialog(ctx.inst, list_officers(ctx.inst), ctx.lang, ctx.parent)]


# Window class (as named in ui/) → what opens it. ``test_small_screen`` checks that every
# QDialog, QWizard, QMessageBox and QMainWindow subclass in ui/ is here.
OPENERS: dict[str, Opener] = {
    "MainWindow": _main,
    "NewCaseDialog": _new_case,
    "SettingsDialog": _settings,
    "SetupWizard": _wizard,
    "UnlockDialog": _unlock,
    "ExportDialog": _export,
    "VerifyDialog": _verify,
    "StartSessionDialog": _sessions,
    "CloseSessionDialog": _sessions,
    "TranscriptDialog": _transcript,
    "EnvCheckDialog": _env_check,
    "TextEntryDialog": _text_entry,
    "ErrorDialog": _error,
    "AddOfficerDialog": _add_officer,
    "TransferDialog": _transfer,
    "ImportPackageDialog": _import_package,
    "ReportDialog": _report,
    "ExercisePickerDialog": _picker,
    "ScoreboardDialog": _scoreboard,
    "NewOfficerDialog": _new_officer,
    "IssueCertificateDialog": _issue_certificate,
}
# Windows that need a running capture session: checked at this size by the workspace's own
# end-to-end run (workspace_child.py, started by test_workspace_e2e.py on this screen).
ELSEWHERE: dict[str, str] = {"WorkspaceWindow": "tests/ui/workspace_child.py::test_full"}


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The interface in Chinese (the pictures are taken then), and in English: its words
    are longer."""
    from app.desk.i18n import install_translators, remove_translators

    lang = str(request.param)
    translators = install_translators(qapp, lang) if lang != "en" else []
    yield lang
    remove_translators(qapp, translators)


@pytest.fixture
def ctx(qtbot: QtBot, world: World, tmp_path: Path, language: str) -> Iterator[Ctx]:
    from tests.ui.helpers import complete_case

    screen = QApplication.primaryScreen().availableGeometry()
    assert (screen.width(), screen.height()) == (WIDTH, HEIGHT), "run by test_small_screen"
    case = complete_case(world.home, world.lead, world.second, tmp_path)
    case_id = case.case_id
    case.close()
    parent = QWidget()
    parent.resize(WIDTH - 100, HEIGHT - 100)
    qtbot.addWidget(parent)
    parent.show()
    yield Ctx(world, Installation(world.home), case_id, tmp_path, parent, language)


def _shot_name(window: QWidget, n: int) -> str:
    name = window.objectName() or type(window).__name__
    return f"1366x768-{name}{f'-{n}' if n else ''}.png"


def check(qtbot: QtBot, windows: list[QWidget], pictures: Path | None) -> list[str]:
    found: list[str] = []
    for n, window in enumerate(windows):
        qtbot.addWidget(window)
        if not window.isVisible():
            window.show()
        place(window)
        found += problems(window)
        if pictures is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(pictures / _shot_name(window, n)), "PNG")
        if isinstance(window, QWizard):  # each page of a wizard in turn
            for page in window.pageIds()[1:]:
                window.setStartId(page)
                window.restart()
                place(window)
                found += [f"page {page}: {p}" for p in problems(window)]
    return found


@pytest.mark.parametrize("name", sorted(OPENERS))
def test_fits_the_laptop_screen(qtbot: QtBot, ctx: Ctx, name: str) -> None:
    windows = OPENERS[name](ctx)
    assert name in {type(w).__name__ for w in windows}
    assert check(qtbot, windows, SCREENSHOTS if ctx.lang == "zh_CN" else None) == []

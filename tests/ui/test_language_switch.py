"""Choosing the language on the first-start wizard's first page applies it at once: the
wizard and the main window's menus are re-labelled through Qt's LanguageChange event, and
the wizard says when the rest follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings
from app.desk.i18n import active_translators, install_translators, remove_translators
from app.installation import Installation
from tests.ui.conftest import save_screenshot
from tests.ui.helpers import untranslated
from ui.dialogs.wizard import SetupWizard
from ui.main_window import MainWindow


@pytest.fixture
def english(qapp: QApplication) -> Iterator[str]:
    """Start in English; whatever the test switched to is removed afterwards."""
    install_translators(qapp, "en")
    yield "en"
    remove_translators(qapp, active_translators())


def test_choosing_chinese_in_the_wizard_applies_at_once(
    qtbot: QtBot, qapp: QApplication, english: str, tmp_path: Path
) -> None:
    inst = Installation(tmp_path / "fresh")
    window = MainWindow(inst, english)
    qtbot.addWidget(window)
    wizard = window.open_wizard()
    assert wizard.windowTitle() == "Quzheng — first start"
    assert window.act_new_officer.text() == "&New officer profile…"

    with qtbot.waitSignal(wizard.language_changed):
        wizard.language.setCurrentIndex(wizard.language.findData("zh_CN"))
    qapp.processEvents()  # the LanguageChange events Qt posted
    assert wizard.windowTitle() == "取证 — 首次设置"
    assert wizard.page(SetupWizard.PAGE_OFFICER).title() == "执法人员档案与密钥"
    assert "下次启动" in wizard.language_note.text()  # says when the rest follows
    assert untranslated(wizard) == []
    assert wizard.buttonText(SetupWizard.WizardButton.NextButton) == "下一步(&N) >"
    assert window.act_new_officer.text() == "新建执法人员档案(&N)…"
    assert window.training.menu.title() == "训练(&T)"
    assert window.lang == "zh_CN"  # dialogs opened from now on explain errors in Chinese
    save_screenshot(wizard, "wizard-language-zh.png")
    assert settings.get(inst.home, "ui.language") == ""  # saved when the wizard finishes

    wizard.language.setCurrentIndex(wizard.language.findData("en"))
    qapp.processEvents()
    assert wizard.windowTitle() == "Quzheng — first start"
    assert window.act_new_officer.text() == "&New officer profile…"
    assert wizard.buttonText(SetupWizard.WizardButton.NextButton) == "&Next >"

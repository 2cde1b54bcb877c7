"""The first-run wizard: officer key with the passphrase warning, an agency CA, the
built-in TSA for training, NTP servers and the data directory."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app import settings
from app.desk.officers import needs_setup, unlock
from app.desk.tsa import BuiltinTsa
from app.installation import Installation
from forensics.identity import IdentityStore
from ui.dialogs.wizard import SetupWizard

PASS = "a long enough passphrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "fresh"
    monkeypatch.setenv("QUZHENG_HOME", str(home))
    return home


def test_first_start_creates_officer_agency_ca_and_training_tsa(
    qtbot: QtBot, home: Path, tmp_path: Path
) -> None:
    assert needs_setup(Installation(home))
    port = free_port()
    wizard = SetupWizard(Installation(home), "en", tsa_port=port)
    qtbot.addWidget(wizard)
    wizard.show()
    warning = wizard.findChild(object, "passphraseWarning")
    assert warning is not None and "nobody" in warning.text() and "recover" in warning.text()

    wizard.next()  # welcome → officer
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER
    wizard.name.setText("张明")
    wizard.badge.setText("31000001")
    wizard.agency.setText("示例市市场监督管理局")
    wizard.passphrase.setText("short")
    wizard.repeat.setText("short")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_OFFICER  # refused
    assert "10 characters" in wizard.currentPage().subTitle()
    wizard.passphrase.setText(PASS)
    wizard.repeat.setText(PASS + "x")
    wizard.next()
    assert "differ" in wizard.currentPage().subTitle()
    wizard.repeat.setText(PASS)
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_AGENCY

    wizard.ca_create.setChecked(True)
    wizard.ca_name.setText("示例市市场监督管理局 CA")
    wizard.ca_passphrase.setText("ca passphrase 123")
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_TIME
    wizard.tsa_urls_mode.setChecked(True)
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_TIME  # casework TSAs need URLs and a root
    wizard.tsa_builtin.setChecked(True)
    wizard.next()
    assert wizard.currentId() == SetupWizard.PAGE_DATA
    wizard.ntp.setPlainText("ntp.ntsc.ac.cn\ncn.pool.ntp.org")
    wizard.data_dir.setText(str(tmp_path / "cases"))
    with qtbot.waitSignal(wizard.completed) as done:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    result = done.args[0]
    assert result.badge == "31000001" and result.issued_by_agency
    assert not needs_setup(Installation(home))

    ids = IdentityStore(home)
    officer = ids.officer("31000001")
    assert officer.cert.issuer != officer.cert.subject  # issued by the new agency CA
    assert unlock(Installation(home), "31000001", PASS).officer.key_fp == result.key_fp
    assert ids.trusted_tsa_pems() and len(ids.trusted_cas()) == 1
    assert settings.get(home, "tsa.urls") == f"http://127.0.0.1:{port}/"
    assert settings.get(home, "ntp.servers") == "ntp.ntsc.ac.cn,cn.pool.ntp.org"
    assert settings.get(home, "data.dir") == str(tmp_path / "cases")

    tsa = BuiltinTsa(Installation(home))
    assert tsa.start() and tsa.server is not None and tsa.server.port == port
    tsa.stop()

"""执法人员 → 新建执法人员档案… and → 由本机机构 CA 签发证书…: a second officer without the
first-start wizard, with and without the local agency CA; the certificate is judged by the
verifier's own chain code against this installation's trust. The first-start wizard refuses
to run again before it writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from app import settings
from app.desk.officers import SetupChoices, list_officers, run_setup, unlock
from app.installation import Installation
from forensics.certtrust import judge_chain
from forensics.errors import InputError
from forensics.identity import IdentityStore, Officer, Profile
from forensics.verdict import Collector
from tests.ui.conftest import save_screenshot
from ui.dialogs.officer_profile import IssueCertificateDialog, NewOfficerDialog
from ui.main_window import MainWindow

PASS = "officer passphrase 1"
CA_PASS = "agency ca passphrase"
AGENCY = "示例市市场监督管理局"


def trusted_by(inst: Installation, officer: Officer) -> str:
    """What the verifier's chain check says of the officer's certificate here."""
    out = Collector()
    fact = judge_chain("officer", officer.chain, inst.trust_policy(), False, out)
    return fact.trusted_by


@pytest.fixture
def first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installation:
    """A home set up once (officer A), without an agency CA."""
    home = tmp_path / "home"
    monkeypatch.setenv("QUZHENG_HOME", str(home))
    inst = Installation(home)
    inst.ids.init_officer(Profile("张明", "31000001", AGENCY), PASS)
    return inst


def fill(dialog: NewOfficerDialog, badge: str = "31000002") -> None:
    dialog.name.setText("李华")
    dialog.badge.setText(badge)
    dialog.agency.setText(AGENCY)
    dialog.passphrase.setText(PASS)
    dialog.repeat.setText(PASS)


def ok(dialog: NewOfficerDialog | IssueCertificateDialog) -> None:
    assert dialog.buttons is not None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_new_officer_without_a_local_ca_is_self_signed(
    qtbot: QtBot, first: Installation, zh: str
) -> None:
    dialog = NewOfficerDialog(first, zh)
    qtbot.addWidget(dialog)
    assert dialog.ca is None and dialog.use_ca.parent() is None  # no CA row is offered
    intro = dialog.findChild(QLabel, "intro")
    assert intro is not None and "本机没有机构 CA" in intro.text()
    fill(dialog)
    dialog.show()
    save_screenshot(dialog, "officer-new-without-ca.png")
    dialog.repeat.setText(PASS + "x")
    ok(dialog)
    assert dialog.message.text() == "两次输入的口令不一致。"
    assert first.ids.list_badges() == ["31000001"]  # nothing written on a refusal
    dialog.repeat.setText(PASS)
    with qtbot.waitSignal(dialog.saved) as done:
        ok(dialog)
    officer: Officer = done.args[0]
    assert officer.cert.issuer == officer.cert.subject
    assert unlock(first, "31000002", PASS).officer.key_fp == officer.key_fp
    assert trusted_by(first, officer) != "agency-ca"
    assert [o.badge for o in list_officers(first)] == ["31000001", "31000002"]


def test_new_officer_with_the_local_ca_chains_to_it(
    qtbot: QtBot, first: Installation, zh: str
) -> None:
    first.ids.init_ca(f"{AGENCY} CA", CA_PASS, agency=AGENCY)
    dialog = NewOfficerDialog(first, zh)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.use_ca.isChecked() and AGENCY in dialog.use_ca.text()
    assert dialog.agency.text() == AGENCY  # the CA's agency, filled in
    fill(dialog)
    ok(dialog)
    assert dialog.message.text() == "请输入机构 CA 的口令。"
    dialog.ca_passphrase.setText("not the CA passphrase")
    ok(dialog)
    assert "口令错误" in dialog.message.text()
    assert first.ids.list_badges() == ["31000001"]  # the wrong CA passphrase left nothing
    dialog.ca_passphrase.setText(CA_PASS)
    save_screenshot(dialog, "officer-new-with-ca.png")
    with qtbot.waitSignal(dialog.saved) as done:
        ok(dialog)
    officer: Officer = done.args[0]
    ca = first.ids.ca_cert()
    assert ca is not None and officer.chain[-1] == ca and officer.cert.issuer == ca.subject
    assert trusted_by(first, officer) == "agency-ca"
    assert trusted_by(Installation(first.home), IdentityStore(first.home).officer("31000002")) == (
        "agency-ca"
    )


def test_issue_a_certificate_for_an_existing_self_signed_officer(
    qtbot: QtBot, first: Installation, zh: str
) -> None:
    before = first.ids.officer("31000001")
    empty = IssueCertificateDialog(first, list_officers(first), zh)
    qtbot.addWidget(empty)
    assert empty.message.text() == "本机没有机构 CA。"
    assert empty.buttons is not None
    assert not empty.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()

    first.ids.init_ca(f"{AGENCY} CA", CA_PASS, agency=AGENCY)
    assert trusted_by(first, before) == "forged"  # the agency's name, not its CA's signature
    dialog = IssueCertificateDialog(first, list_officers(first), zh)
    qtbot.addWidget(dialog)
    dialog.choose("31000001")
    dialog.ca_passphrase.setText(CA_PASS)
    save_screenshot(dialog, "officer-issue-certificate.png")
    with qtbot.waitSignal(dialog.saved) as done:
        ok(dialog)
    after: Officer = done.args[0]
    assert after.key_fp == before.key_fp  # the same key, a new certificate
    assert trusted_by(first, after) == "agency-ca"
    assert unlock(first, "31000001", PASS).officer.chain == after.chain
    again = IssueCertificateDialog(first, list_officers(first), zh)
    qtbot.addWidget(again)
    assert again.officer.count() == 0  # nobody left with a self-signed key


def test_main_window_offers_new_officers_and_retires_the_wizard(
    qtbot: QtBot, first: Installation, zh: str
) -> None:
    window = MainWindow(first, zh)
    qtbot.addWidget(window)
    assert not window.act_wizard.isEnabled()  # officers exist: not the first start
    assert window.act_new_officer.text() == "新建执法人员档案(&N)…"
    assert not window.act_issue_cert.isEnabled()  # no local CA
    dialog = window.new_officer()
    fill(dialog, "31000003")
    with qtbot.waitSignal(dialog.saved):
        ok(dialog)
    assert [o.badge for o in window.officers] == ["31000001", "31000003"]


def test_the_first_start_set_up_refuses_to_run_again_before_writing(
    first: Installation,
) -> None:
    settings.set_value(first.home, "tsa.urls", "http://tsa.example.test/")
    settings.set_value(first.home, "ui.language", "zh_CN")
    before = sorted(p.relative_to(first.home) for p in first.home.rglob("*"))
    choices = SetupChoices(
        profile=Profile("李华", "31000002", AGENCY),
        passphrase=PASS,
        ca_mode="create",
        ca_passphrase=CA_PASS,
        data_dir="/elsewhere",
        language="en",
    )
    with pytest.raises(InputError) as refused:
        run_setup(first, choices)
    assert "新建执法人员档案" in refused.value.message_zh
    assert sorted(p.relative_to(first.home) for p in first.home.rglob("*")) == before
    assert settings.get(first.home, "tsa.urls") == "http://tsa.example.test/"
    assert settings.get(first.home, "ui.language") == "zh_CN"

"""Case actions from the windows, offscreen with real parts (case store, files, built-in TSA):
add an officer, transfer custody, import a received package, write the report PDF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.installation import Installation
from forensics.case import Case
from forensics.custody import record_transfer
from forensics.timestamp import TsaServer
from tests.conftest import PASSPHRASE, World
from tests.received import export_complete_case, police_home, use_tsa
from tests.ui.helpers import complete_case
from tests.ui.test_main_window import unlock
from ui.dialogs.add_officer import AddOfficerDialog
from ui.dialogs.import_package import ImportPackageDialog
from ui.dialogs.report import ReportDialog
from ui.dialogs.transfer import TransferDialog
from ui.main_window import MainWindow

OK = QDialogButtonBox.StandardButton.Ok


def main_window(qtbot: QtBot, home: Path) -> MainWindow:
    w = MainWindow(Installation(home), "en")
    qtbot.addWidget(w)
    w.show()
    w._refresh_now()
    return w


def kinds(home: Path, case_id: str) -> list[str]:
    with Case.open(home, case_id, recover=False) as case:
        return [r.kind for r in case.ledger.records()]


def test_add_officer_from_the_case_view(qtbot: QtBot, world: World, case: Case) -> None:
    window = main_window(qtbot, world.home)
    unlock(window, qtbot)
    window.open_case(case.case_id)
    view = window.case_view
    assert view.buttons["officer"].isEnabled()
    view.buttons["officer"].click()
    dialog = window.findChild(AddOfficerDialog)
    assert dialog is not None and dialog.isVisible()
    # Only profiles not yet on the case are offered: the two officers of the case are not.
    offered = [dialog.officer.itemData(i) for i in range(dialog.officer.count())]
    assert offered == ["31000099"]
    dialog.choose("31000099", "assistant")
    with qtbot.waitSignal(dialog.added) as added:
        dialog.buttons.button(OK).click()
    rec = added.args[0]
    assert rec.kind == "officer.add" and rec.entry["data"]["role"] == "assistant"
    assert rec.entry["actor"]["badge"] == "31000001"  # the unlocked officer signed it
    assert view.details is not None and "31000099" in view.details.badges
    assert "王五" in view.header.text()
    # Again: nobody is left to add, and the core refuses a second registration anyway.
    view.buttons["officer"].click()
    again = next(d for d in window.findChildren(AddOfficerDialog) if d is not dialog)
    assert again.officer.count() == 0 and not again.buttons.button(OK).isEnabled()
    assert "already on the case" in again.message.text()
    assert "New officer profile…" in again.message.text()  # where the next one comes from
    assert kinds(world.home, case.case_id).count("officer.add") == 3


def test_a_new_profile_from_the_add_officer_dialog_is_offered_at_once(
    qtbot: QtBot, world: World, case: Case
) -> None:
    """An officer who has no profile on this computer yet: 新建执法人员档案… from the
    add-officer dialog creates it (self-signed or from the local CA, as from the menu); the
    dialog then offers and chooses it, and the main window's officer list knows it."""
    window = main_window(qtbot, world.home)
    unlock(window, qtbot)
    window.open_case(case.case_id)
    window.case_view.buttons["officer"].click()
    dialog = window.findChild(AddOfficerDialog)
    assert dialog is not None and dialog.new_profile.isVisible()
    profile = dialog.new_officer()
    profile.name.setText("赵六")
    profile.badge.setText("31000123")
    profile.passphrase.setText("officer passphrase 6")
    profile.repeat.setText("officer passphrase 6")
    profile.ca_passphrase.setText(PASSPHRASE)  # the world's agency CA issues the certificate
    with qtbot.waitSignal(dialog.profile_created) as created:
        profile.buttons.button(OK).click()
    officer = created.args[0]
    assert officer.cert.issuer != officer.cert.subject  # issued by the agency CA
    assert dialog.officer.currentData() == "31000123" and dialog.buttons.button(OK).isEnabled()
    assert "31000123" in [o.badge for o in window.officers]  # unlockable from the menu now
    with qtbot.waitSignal(dialog.added) as added:
        dialog.buttons.button(OK).click()
    data = added.args[0].entry["data"]
    assert data["badge"] == "31000123" and data["self_signed"] is False


def test_transfer_of_custody_from_the_case_view(
    qtbot: QtBot, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    use_tsa(world.home, tsa)
    case_id = export_complete_case(world, tsa, tmp_path)
    package = tmp_path / "case.qzp"
    window = main_window(qtbot, world.home)
    unlock(window, qtbot)
    window.open_case(case_id)
    window.case_view.buttons["transfer"].click()
    dialog = window.findChild(TransferDialog)
    assert dialog is not None and dialog.package.text().endswith(".qzp")
    dialog.package.setText(str(package))
    dialog.start()
    assert "receiver's name" in dialog.message.text()
    dialog.to_name.setText("赵警官")
    dialog.to_badge.setText("P0001")
    dialog.to_agency.setText("示例市公安局")
    dialog.reason.setText("涉嫌犯罪，移送公安机关")
    with qtbot.waitSignal(dialog.transferred) as got:
        dialog.buttons.button(OK).click()
    result = got.args[0]
    assert result.record_path == tmp_path / "case.qzp.transfer.json"
    assert result.stamps.pending == 0  # the built-in TSA stamped the transfer at once
    assert f"ledger entry {result.seq}" in dialog.message.text()
    sent = json.loads(json.loads(result.record_path.read_text("utf-8"))["record"])
    assert sent["entry"]["kind"] == "custody.transfer" and sent["entry"]["seq"] == result.seq
    data = sent["entry"]["data"]
    assert data["to_agency"] == "示例市公安局" and data["reason"] == "涉嫌犯罪，移送公安机关"
    assert sent["entry"]["actor"]["badge"] == "31000001"
    assert "custody.transfer" in kinds(world.home, case_id)
    assert any(r.kind == "custody.transfer" for r in window.case_view.model.rows())


def test_import_package_from_the_file_menu(
    qtbot: QtBot, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    case_id = export_complete_case(world, tsa, tmp_path)
    package = tmp_path / "case.qzp"
    with Case.open(world.home, case_id) as case:
        record_transfer(
            case, world.lead, package, to_name="赵警官", to_agency="示例市公安局", reason="移送"
        )
    police = police_home(tmp_path, world, tsa)
    window = main_window(qtbot, police.home)
    assert window.cases.rowCount() == 0
    unlock(window, qtbot, "P0001")
    window.act_import_pkg.trigger()
    dialog = window.findChild(ImportPackageDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.import_button.isEnabled()

    # A damaged copy fails verification and cannot be imported.
    bad = tmp_path / "bad.qzp"
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    dialog.package.setText(str(bad))
    dialog.verify()
    assert not dialog.import_button.isEnabled()
    assert re.search("FAIL|Could not verify", dialog.verdict.text())

    dialog.package.setText(str(package))
    with qtbot.waitSignal(dialog.verified):
        dialog.verify()
    assert dialog.report is not None and dialog.report.bottom_line
    assert "PASS" in dialog.verdict.text() and dialog.import_button.isEnabled()
    dialog.reason.setText("接收移送案件")
    with qtbot.waitSignal(dialog.imported) as got:
        dialog.import_button.click()
    assert got.args[0] == case_id and case_id in dialog.verdict.text()
    assert not dialog.import_button.isEnabled()

    window._refresh_now()
    row = window.cases.row_of(case_id)
    assert row >= 0 and window.cases.case(row).status == "received"
    with Case.open(police.home, case_id, recover=False) as case:
        assert case.received
        last = [r for r in case.ledger.records() if r.kind == "custody.receive"][-1]
        assert last.entry["actor"]["badge"] == "P0001"
        assert last.entry["data"]["reason"] == "接收移送案件"
        assert json.loads(last.entry["data"]["transfer"]["record"])["entry"]["kind"] == (
            "custody.transfer"
        )
    window.open_case(case_id)
    view = window.case_view
    assert view.details is not None and view.details.received
    for name in ("officer", "import", "note"):
        assert not view.buttons[name].isEnabled(), name


def pdf_text(pdf: Path) -> str:
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return re.sub(r"\s+", "", proc.stdout)


def test_report_from_the_case_view(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    with complete_case(world.home, world.lead, world.second, tmp_path) as case:
        case_id = case.case_id
    window = main_window(qtbot, world.home)
    window.open_case(case_id)
    window.case_view.buttons["report"].click()  # no officer needs to unlock: nothing is sealed
    dialog = window.findChild(ReportDialog)
    assert dialog is not None and dialog.out.text().endswith(".pdf")
    dialog.out.setText(str(tmp_path / "笔录"))
    with qtbot.waitSignal(dialog.written) as got:
        dialog.buttons.button(OK).click()
    summary = got.args[0]
    pdf = tmp_path / "笔录.pdf"
    assert summary.path == pdf and summary.pages >= 1
    assert pdf.read_bytes().startswith(b"%PDF") and summary.sha256 in dialog.message.text()
    assert "示市监案〔2026〕12号" in pdf_text(pdf)
    assert kinds(world.home, case_id)[-1] == "session.end"  # the report seals nothing


def test_report_refused_for_an_incomplete_case(
    qtbot: QtBot, world: World, case: Case, tmp_path: Path
) -> None:
    window = main_window(qtbot, world.home)
    window.open_case(case.case_id)
    dialog = window.case_view._report()
    assert dialog is not None
    dialog.out.setText(str(tmp_path / "r.pdf"))
    dialog.start()
    assert "No report written" in dialog.message.text()
    assert "required fields are empty" in dialog.message.text()
    assert not (tmp_path / "r.pdf").exists()

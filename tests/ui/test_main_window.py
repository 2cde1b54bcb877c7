"""The main window with qtbot, offscreen: unlock, new case, case view and its viewers,
settings, verify and export, the error dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app import settings
from app.desk import cases
from app.desk.timeline import TimelineRow
from app.installation import Installation
from forensics.case import Case
from forensics.errors import CaptureError
from forensics.timestamp import TsaServer
from tests.conftest import PASSPHRASE, World
from tests.received import use_tsa
from tests.ui.helpers import complete_case, fill_case
from ui.dialogs.error import ErrorDialog, show_error
from ui.dialogs.export import ExportDialog
from ui.dialogs.new_case import NewCaseDialog
from ui.dialogs.settings import SettingsDialog
from ui.dialogs.unlock import UnlockDialog
from ui.dialogs.verify import VerifyDialog
from ui.main_window import MainWindow
from ui.models.timeline import ROW_ROLE
from ui.viewers import IMAGE, TEXT, TRAFFIC, VIDEO


@pytest.fixture
def window(qtbot: QtBot, world: World) -> MainWindow:
    w = MainWindow(Installation(world.home), "en")
    qtbot.addWidget(w)
    w.show()
    w._refresh_now()
    return w


def unlock(window: MainWindow, qtbot: QtBot, badge: str = "31000001") -> None:
    dialog = window.unlock()
    dialog.officer.setCurrentIndex(dialog.officer.findData(badge))
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_unlock_refuses_a_wrong_passphrase(window: MainWindow, qtbot: QtBot) -> None:
    assert window.officer_label.text() == "No officer unlocked"
    dialog = window.unlock()
    assert isinstance(dialog, UnlockDialog) and dialog.officer.count() == 3
    dialog.passphrase.setText("wrong")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "Wrong passphrase" in dialog.message.text()
    assert window.signer is None
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.signer is not None and "31000001" in window.officer_label.text()
    window.lock()
    assert window.signer is None


def test_new_case_needs_the_record_fields_and_two_officers(
    window: MainWindow, qtbot: QtBot, world: World
) -> None:
    unlock(window, qtbot)
    window.new_case()
    dialog = window.findChild(NewCaseDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.fields["title"].setText("某网店销售假冒商品案")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    shown = dialog.message.text()
    for wanted in ("case number", "cause", "target", "two officers"):
        assert wanted in shown
    assert dialog.fields["number"].styleSheet() and not dialog.fields["title"].styleSheet()

    for name, value in {
        "number": "示市监案〔2026〕12号",
        "cause": "涉嫌销售侵犯注册商标专用权的商品",
        "location": "示例市市场监督管理局 取证室",
        "platform": "练习靶场",
        "shop": "示例旗舰店",
        "url": "https://shop.range.test/",
    }.items():
        dialog.fields[name].setText(value)
    dialog.purpose.setPlainText("固定网店销售假冒商品的电子数据")
    second = next(
        dialog.officers.item(i)
        for i in range(dialog.officers.count())
        if dialog.officers.item(i).data(Qt.ItemDataRole.UserRole) == "31000002"
    )
    second.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(dialog.created) as created:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    case_id = created.args[0]
    window._refresh_now()
    assert window.cases.rowCount() == 1
    assert window.stack.currentWidget() is window.case_view
    details = window.case_view.details
    assert details is not None and details.case_id == case_id
    assert sorted(details.badges) == ["31000001", "31000002"]
    assert details.opened["target"]["shop"] == "示例旗舰店"
    assert "涉嫌销售侵犯注册商标专用权的商品" in window.case_view.header.text()


def test_case_view_shows_each_kind_of_item(
    window: MainWindow, qtbot: QtBot, world: World, case: Case, tmp_path: Path
) -> None:
    fill_case(case, world.lead, tmp_path)
    window._refresh_now()
    window.table.selectRow(0)
    window.open_selected()
    view = window.case_view
    rows = [view.model.data(view.model.index(r, 0), ROW_ROLE) for r in range(view.model.rowCount())]
    by_kind = {r.kind: n for n, r in enumerate(rows) if isinstance(r, TimelineRow)}

    view.table.selectRow(by_kind["capture.screenshot"])
    assert view.viewers.currentWidget() is view.pages[IMAGE]
    assert "1200 px" in view.image_viewer.info.text()
    before = view.image_viewer.scale()
    view.image_viewer.zoom(1.25)
    assert view.image_viewer.scale() == pytest.approx(before * 1.25)
    assert (
        "SHA-256" in view.item_info.toPlainText()
        and "shop.range.test/item/1" in view.item_info.toPlainText()
    )

    view.table.selectRow(by_kind["capture.traffic"])
    assert view.viewers.currentWidget() is view.pages[TRAFFIC]
    traffic = view.traffic_viewer
    assert traffic.model.rowCount() == 2
    assert "示例旗舰店" in traffic.detail.toPlainText()
    assert "Request headers" in traffic.detail.toPlainText()

    view.table.selectRow(by_kind["capture.video"])
    assert view.viewers.currentWidget() is view.pages[VIDEO]
    marks = view.video_viewer.marks
    assert marks.count() == 1 and "00:00:00.400" in marks.item(0).text()
    marks.itemClicked.emit(marks.item(0))

    view.table.selectRow(by_kind["import.file"])
    assert view.viewers.currentWidget() is view.pages[TEXT]
    assert '"price": 199' in view.text_viewer.edit.toPlainText()

    view.table.selectRow(by_kind["note"])
    assert "页面标称" in view.entry_viewer.edit.toPlainText()
    view.video_viewer.stop()


def test_case_view_seals_a_note_and_a_transcript(
    window: MainWindow, qtbot: QtBot, world: World, case: Case, tmp_path: Path
) -> None:
    fill_case(case, world.lead, tmp_path)
    window.open_case(case.case_id)
    view = window.case_view
    unlock(window, qtbot)
    view.add_note("第二条备注")
    assert any(r.data.get("text") == "第二条备注" for r in view.model.rows())
    view.add_note("   ")  # refused by the core: explained, with what is sealed
    (box,) = [d for d in view.findChildren(ErrorDialog) if d.isVisible()]
    assert box.message == "the note is empty"
    assert f"holds {len(case.ledger.records())} entries" in box.informativeText()
    box.close()

    from ui.dialogs.transcript import TranscriptDialog

    view._transcript()
    dialog = view.findChild(TranscriptDialog)
    assert dialog is not None and dialog.segment.count() == 1
    dialog.table.item(0, 0).setText("00:00.100")
    dialog.table.item(0, 1).setText("00:00.900")
    dialog.table.item(0, 2).setText("主播")
    dialog.table.item(0, 3).setText("全部正品，假一赔十")
    with qtbot.waitSignal(dialog.ready):
        dialog.submit()
    derived = [r for r in view.model.rows() if r.kind == "derive"]
    assert len(derived) == 1
    video = next(r for r in view.model.rows() if r.kind == "capture.video")
    assert derived[0].data["parent"]["sha256"] == video.items[0].sha256
    assert derived[0].data["lines"][0]["start_ms"] == 100
    body = cases.item_file(case.store.dir, derived[0].items[0].sha256).read_text("utf-8")
    assert "00:00:00.100 --> 00:00:00.900" in body and "全部正品" in body


def test_transcript_refuses_bad_time_codes(
    qtbot: QtBot, world: World, case: Case, tmp_path: Path
) -> None:
    from app.desk.timeline import timeline_rows
    from ui.dialogs.transcript import TranscriptDialog

    fill_case(case, world.lead, tmp_path)
    dialog = TranscriptDialog(timeline_rows(case.ledger.records()), "en")
    qtbot.addWidget(dialog)
    dialog.table.item(0, 0).setText("later")
    dialog.table.item(0, 3).setText("text")
    dialog.submit()
    assert "time code" in dialog.message.text()


def test_settings_dialog_saves_declared_settings(qtbot: QtBot, world: World) -> None:
    dialog = SettingsDialog(Installation(world.home), "en")
    qtbot.addWidget(dialog)
    dialog.tsa.setPlainText("http://tsa.example.gov.cn/\nhttp://127.0.0.1:3161/")
    dialog.ntp.setPlainText("ntp.ntsc.ac.cn")
    dialog.ports.setText("18080-18099")
    dialog.segment.setValue(30)
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.ports.setText("80")
    dialog.save()
    assert "port range" in dialog.message.text()
    dialog.ports.setText("18080-18099")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    get = lambda key: settings.get(world.home, key)  # noqa: E731
    assert get("tsa.urls") == "http://tsa.example.gov.cn/,http://127.0.0.1:3161/"
    assert get("video.segment_seconds") == 30 and get("ui.language") == "zh_CN"
    assert get("proxy.port_range") == "18080-18099" and get("ntp.servers") == "ntp.ntsc.ac.cn"


def test_verify_and_export_run_with_progress(
    window: MainWindow, qtbot: QtBot, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    use_tsa(world.home, tsa)
    case = complete_case(world.home, world.lead, world.second, tmp_path)
    case.close()
    dialog = VerifyDialog(Installation(world.home), "zh", case_id=case.case_id, parent=window)
    dialog.open()
    with qtbot.waitSignal(dialog.verified):
        dialog.start()
    assert dialog.report is not None and dialog.report.bottom_line
    assert "PASS" in dialog.verdict.text() and dialog.model.rowCount() >= 1

    export = ExportDialog(Installation(world.home), case.case_id, world.lead, "zh", parent=window)
    export.out.setText(str(tmp_path / "case"))
    export.password.setText("short")
    export.repeat.setText("other")
    export.start()
    assert "differ" in export.message.text()
    export.password.setText("")
    export.repeat.setText("")
    with qtbot.waitSignal(export.exported) as got:
        export.start()
    result = got.args[0]
    assert result.path == tmp_path / "case.qzp" and result.path.is_file()
    assert result.sha256 in export.message.text()

    package = VerifyDialog(Installation(world.home), "en", parent=window)
    package.package.setText(str(result.path))
    with qtbot.waitSignal(package.verified):
        package.start()
    assert package.report is not None and package.report.bottom_line

    # A verifier with no trust anchors: intact, trust not established, with fingerprints.
    stranger = VerifyDialog(Installation(tmp_path / "empty-home"), "en", parent=window)
    stranger.package.setText(str(result.path))
    with qtbot.waitSignal(stranger.verified):
        stranger.start()
    assert stranger.report is not None and stranger.report.verdict.exit_code == 3
    text = stranger.verdict.text()
    assert text.startswith("INTACT, TRUST NOT ESTABLISHED") and "agency CA" in text


def test_error_dialog_explains_in_chinese_and_confirms_nothing_sealed_was_lost(
    qtbot: QtBot, world: World, case: Case
) -> None:
    from app.desk.errors import sealed_state

    err = CaptureError("The recording proxy stopped.", "取证代理意外停止。")
    state = sealed_state(world.home, case.case_id)
    assert state is not None and state.entries == 3
    box = show_error(None, "Capture", err, "zh", state)
    qtbot.addWidget(box)
    assert isinstance(box, ErrorDialog) and box.message == "取证代理意外停止。"
    text = box.informativeText()
    assert "取证代理意外停止。" in text and "Nothing sealed was lost" in text
    assert f"No. {state.last_seq}" in text and state.last_hash[:16] in text
    assert "Capture has stopped" in text
    assert box.detailedText() == "The recording proxy stopped."
    plain = show_error(None, "Export", OSError(28, "No space left on device"), "en")
    qtbot.addWidget(plain)
    assert "No space left on device" in plain.informativeText()
    assert plain.standardButtons() == QMessageBox.StandardButton.Ok
    for b in (box, plain):
        b.close()
    assert isinstance(box.findChild(QLabel), QLabel)

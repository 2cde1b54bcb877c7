"""Translations: Simplified Chinese and English complete, every string the windows use is
in the .ts sources, and the .qm is compiled on demand when the build did not ship one."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app import settings
from app.desk.i18n import (
    I18N_DIR,
    choose_language,
    install_translators,
    qm_file,
    remove_translators,
)
from app.installation import Installation
from tests.conftest import World
from tests.ui.conftest import ROOT
from tests.ui.helpers import untranslated

TS = {lang: I18N_DIR / f"quzheng_{lang}.ts" for lang in ("zh_CN", "en")}
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            out[(name, msg.findtext("source") or "")] = msg
    return out


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_translation_is_finished(lang: str) -> None:
    msgs = messages(TS[lang])
    assert len(msgs) > 300
    for (context, source), msg in msgs.items():
        tr = msg.find("translation")
        assert tr is not None, (context, source)
        assert tr.get("type") is None, f"{tr.get('type')}: {context}: {source}"
        assert (tr.text or "").strip(), f"empty translation: {context}: {source}"
        assert sorted(PLACEHOLDER.findall(tr.text or "")) == sorted(PLACEHOLDER.findall(source)), (
            source
        )
        if "&" in source and re.search(r"&\w", source):
            assert re.search(r"&\w", tr.text or ""), f"lost accelerator: {source}"


def test_zh_cn_is_chinese() -> None:
    msgs = messages(TS["zh_CN"])
    chinese = sum(
        1 for m in msgs.values() if re.search(r"[\u4e00-\u9fff]", m.findtext("translation") or "")
    )
    assert chinese >= len(msgs) - 5  # only marks such as "—", "SHA-256" and "VPN" stay as they are


def test_every_source_string_in_the_code_is_in_the_ts(tmp_path: Path) -> None:
    """lupdate over ui/ and app/desk now must find exactly what the .ts files hold."""
    from scripts.compile_translations import qt_tool, source_files

    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [*qt_tool("lupdate"), "-silent", "-locations", "none", *source_files(), "-ts", str(fresh)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    found = set(messages(fresh))
    for lang, ts in TS.items():
        held = set(messages(ts))
        assert found - held == set(), f"{lang}: not in the .ts (run compile_translations --update)"
        assert held - found == set(), f"{lang}: stale messages in the .ts"


def test_qm_is_compiled_into_the_cache_when_missing(tmp_path: Path, qapp: QApplication) -> None:
    i18n = tmp_path / "i18n"
    i18n.mkdir()
    (i18n / "quzheng_zh_CN.ts").write_bytes(TS["zh_CN"].read_bytes())
    cache = tmp_path / "cache"
    qm = qm_file("zh_CN", i18n, cache)
    assert qm == cache / "quzheng_zh_CN.qm" and qm.is_file()
    assert qm_file("zh_CN", i18n, cache) == qm  # fresh: not compiled again
    tr = QTranslator()
    assert tr.load(str(qm))
    assert tr.translate("MainWindow", "&New case…") == "新建案件(&N)…"
    assert qm_file("fr", i18n, cache) is None


def test_language_choice(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUZHENG_LANG", "zh_CN.UTF-8")
    assert choose_language(Installation(world.home)) == "zh_CN"
    settings.set_value(world.home, "ui.language", "en")
    assert choose_language(Installation(world.home)) == "en"
    settings.set_value(world.home, "ui.language", "zh_CN")
    monkeypatch.setenv("QUZHENG_LANG", "en")
    assert choose_language(Installation(world.home)) == "zh_CN"


def test_windows_show_no_untranslated_english(
    qtbot: QtBot, world: World, zh: str, tmp_path: Path
) -> None:
    """Every string a window shows goes through tr(): in Chinese, no English phrase is left."""
    from app.desk.cases import load_case
    from app.desk.officers import list_officers
    from forensics.errors import CaptureError
    from tests.ui.helpers import complete_case
    from ui.case_summary import CaseSummaryPanel
    from ui.dialogs.add_officer import AddOfficerDialog
    from ui.dialogs.env_check import EnvCheckDialog
    from ui.dialogs.error import ErrorDialog
    from ui.dialogs.export import ExportDialog
    from ui.dialogs.import_package import ImportPackageDialog
    from ui.dialogs.new_case import NewCaseDialog
    from ui.dialogs.report import ReportDialog
    from ui.dialogs.session import CloseSessionDialog, StartSessionDialog
    from ui.dialogs.settings import SettingsDialog
    from ui.dialogs.text_entry import note_dialog, pause_dialog
    from ui.dialogs.transcript import TranscriptDialog
    from ui.dialogs.transfer import TransferDialog
    from ui.dialogs.unlock import UnlockDialog
    from ui.dialogs.verify import VerifyDialog
    from ui.dialogs.wizard import SetupWizard
    from ui.main_window import MainWindow

    case = complete_case(world.home, world.lead, world.second, tmp_path)
    case_id = case.case_id
    case.close()
    details = load_case(Installation(world.home), case_id)
    inst, lead, lang = Installation(world.home), world.lead, zh
    main = MainWindow(inst, lang)
    main._refresh_now()
    main.open_case(case_id)
    summary = CaseSummaryPanel(inst, lang)
    summary.show_case(case_id)
    check = {"phase": "after", "warnings": [{"section": "clock", "en": "x", "zh": "时钟"}],
             "snapshot": {"clock": {"status": "warning", "summary": {"zh": "偏差", "en": "x"}}},
             "changes": []}  # fmt: skip
    widgets: list[QWidget] = [
        main,
        summary,
        NewCaseDialog(inst, lead, list_officers(inst), lang),
        SettingsDialog(inst, lang),
        SetupWizard(inst, lang),
        UnlockDialog(inst, list_officers(inst), lang),
        ExportDialog(inst, case_id, lead, lang),
        VerifyDialog(inst, lang),
        StartSessionDialog(inst, case_id, lead, "", lang),
        CloseSessionDialog(inst, lead, details.officers, True, lang),
        TranscriptDialog(details.rows, lang),
        EnvCheckDialog(check, 5, lang),
        note_dialog(None),
        pause_dialog(None),
        ErrorDialog(None, "导出", CaptureError("disk full", "磁盘已满"), lang),
        AddOfficerDialog(inst, case_id, lead, [], lang),
        TransferDialog(inst, case_id, lead, lang),
        ImportPackageDialog(inst, lead, lang),
        ReportDialog(inst, case_id, lang),
    ]
    for widget in widgets:
        qtbot.addWidget(widget)
        assert untranslated(widget) == [], type(widget).__name__


def test_translator_switch(qapp: QApplication) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("Kinds", "screenshot") == "截图"
    finally:
        remove_translators(qapp, translators)
    assert QCoreApplication.translate("Kinds", "screenshot") == "screenshot"

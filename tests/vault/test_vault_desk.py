"""The case view's "Deposit in the agency vault…" against the real vault (Ceph RGW and
PostgreSQL), offscreen: the vault's address is set in the settings dialog, the case's package is
deposited, its receipt sealed as ``custody.deposit`` and shown on the timeline; a retry seals
nothing twice; a package the case did not export is refused before anything is sent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.capture.tasks import SyncRunner, set_runner
from app.desk import vault as desk_vault
from app.installation import Installation
from forensics.case import Case
from tests.ui.test_main_window import unlock
from tests.vault.conftest import Agency, Running, rows
from ui.dialogs.error import ErrorDialog
from ui.dialogs.settings import SettingsDialog
from ui.main_window import MainWindow
from ui.models.timeline import TimelineModel


@pytest.fixture(autouse=True)
def sync_tasks() -> Iterator[None]:
    old = set_runner(SyncRunner())
    yield
    set_runner(old)


def _errors(window: MainWindow) -> list[str]:
    found = [d for d in window.findChildren(ErrorDialog) if d.isVisible()]
    for d in found:
        d.close()
    return [d.message for d in found]


def _deposits(home: Path, case_id: str) -> list[int]:
    with Case.open(home, case_id, recover=False) as case:
        return [r.seq for r in case.ledger.records() if r.kind == "custody.deposit"]


def test_case_view_deposits_the_cases_package(
    qtbot: QtBot, running: Running, agency: Agency, tmp_path: Path
) -> None:
    w = agency.world
    case, pkg = agency.package()
    other, stranger_pkg = agency.package("other.qzp")  # another case's package
    case_id = case.case_id
    case.close()
    other.close()
    inst = Installation(w.home)
    inst.set_setting("tsa.urls", agency.tsa.url)
    window = MainWindow(inst, "en")
    qtbot.addWidget(window)
    window.show()
    window._refresh_now()
    unlock(window, qtbot)
    window.open_case(case_id)
    view = window.case_view
    assert view.buttons["vault"].isEnabled()

    # No vault configured: the button says which setting is missing, and nothing is sent.
    view.buttons["vault"].click()
    assert any("vault.url" in m for m in _errors(window))
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 0

    # The address is set in the settings dialog, which wants a web address.
    settings = SettingsDialog(inst, "en", window)
    settings.vault.setText("vault.agency.example")
    settings.save()
    assert "web address" in settings.message.text() and inst.setting("vault.url") == ""
    settings.vault.setText(running.url)
    with qtbot.waitSignal(settings.saved):
        settings.save()
    assert inst.setting("vault.url") == running.url
    assert view.details is not None
    assert desk_vault.last_export_name(view.details.rows) == pkg.name

    # A package this case did not export is refused before anything is sent.
    view.deposit_package(case_id, stranger_pkg)
    assert any("not a package exported from this case" in m for m in _errors(window))
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 0
    assert _deposits(w.home, case_id) == []

    with qtbot.waitSignal(view.deposited) as got:
        view.deposit_package(case_id, pkg)
    first: desk_vault.DepositResult = got.args[0]
    assert not _errors(window)
    assert first.package_sha256 == hashlib.sha256(pkg.read_bytes()).hexdigest()
    assert not first.existing and first.stamps.pending == 0
    assert first.receipt_path == pkg.with_name(pkg.name + ".receipt.json")
    assert first.receipt_path.is_file()
    assert [r["sha256"] for r in running.client(w.lead).search()] == [first.package_sha256]
    assert _deposits(w.home, case_id) == [first.seq]
    # The timeline shows the sealed deposit.
    row = view.model.row_of(first.seq)
    assert row >= 0 and view.model.row(row).kind == "custody.deposit"
    summary = str(view.model.data(view.model.index(row, TimelineModel.SUMMARY)))
    assert summary.startswith(f"Deposited in the agency vault: {pkg.name}, retained until ")

    # A retry: the vault's first receipt, and the case seals nothing twice.
    with qtbot.waitSignal(view.deposited) as again:
        view.deposit_package(case_id, pkg)
    second: desk_vault.DepositResult = again.args[0]
    assert second.existing and second.seq == first.seq
    assert _deposits(w.home, case_id) == [first.seq]
    assert rows(running.vault.cfg, "SELECT count(*) FROM packages")[0][0] == 1

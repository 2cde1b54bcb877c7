"""When an export wrote and sealed its package but the backup copy failed: a line that says
exactly that, and a "Retry backup" button beside the dialog's buttons that copies the package
and its seal again — the backup alone (``backup_export``: the package is checked against
its seal first, nothing is sealed in the case, no earlier copy is overwritten)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QDialogButtonBox, QLabel, QPushButton

from app.capture.tasks import Outcome, run_task
from app.desk.cases import backup_export
from app.desk.errors import explain
from forensics.errors import QuzhengError
from ui.dialogs.parts import message_label
from ui.util import named

_FAILED = "color: #b35c00; font-weight: bold"


class BackupRetry(QObject):
    """Hidden until ``offer``; ``backup`` gives the backup target at the time of the retry
    (the officer may correct the path first)."""

    copied = Signal(object)  # Path of the backup copy

    def __init__(
        self, buttons: QDialogButtonBox, state: QLabel, backup: Callable[[], str], lang: str
    ) -> None:
        super().__init__(buttons)
        self.lang, self.state, self.backup = lang, state, backup
        self.package: Path | None = None
        self.button: QPushButton = named(
            buttons.addButton(self.tr("Retry backup"), QDialogButtonBox.ButtonRole.ActionRole),
            "retryBackup",
        )
        self.button.clicked.connect(self.retry)
        self.button.hide()
        state.hide()

    @classmethod
    def below(cls, buttons: QDialogButtonBox, backup: Callable[[], str], lang: str) -> BackupRetry:
        """A retry for the dialog of ``buttons``, its state line placed above them."""
        state = message_label(name="backupState")
        dialog = buttons.parentWidget()
        layout = dialog.layout() if dialog is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(buttons), state)
        return cls(buttons, state, backup, lang)

    def offer(self, package: Path, error: QuzhengError) -> None:
        self.package = package
        self._say(
            self.tr(
                "The package is written and sealed: {0}. Only the backup copy failed: {1}"
            ).format(package, explain(error, self.lang)),
            failed=True,
        )
        self.button.show()
        self.button.setEnabled(True)

    def retry(self) -> None:
        package, target = self.package, self.backup().strip()
        if package is None:
            return
        if not target:
            self._say(self.tr("Enter where the backup copy goes."), failed=True)
            return
        self.button.setEnabled(False)
        self._say(self.tr("Copying the backup…"), failed=False)
        run_task(lambda: backup_export(package, Path(target)), self._done)

    def _done(self, outcome: Outcome[Path]) -> None:
        if outcome.error is not None:
            self.button.setEnabled(True)
            self._say(
                self.tr("The backup copy failed again: {0}").format(
                    explain(outcome.error, self.lang)
                ),
                failed=True,
            )
            return
        copy = outcome.unwrap()
        self.button.hide()
        self._say(self.tr("Backup (identical, compared): {0}").format(copy), failed=False)
        self.copied.emit(copy)

    def _say(self, text: str, *, failed: bool) -> None:
        self.state.setText(text)
        self.state.setStyleSheet(_FAILED if failed else "")
        self.state.show()

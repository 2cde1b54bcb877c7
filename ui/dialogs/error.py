"""The error dialog: what happened, in the officer's language, and that nothing sealed
was lost (with the ledger's last seal, read again after the failure when a case is known)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.desk.errors import SealedState, explain, is_capture_stop
from forensics.errors import QuzhengError


class ErrorDialog(QMessageBox):
    def __init__(
        self,
        parent: QWidget | None,
        action: str,
        exc: BaseException,
        lang: str,
        sealed: SealedState | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Quzheng — something went wrong"))
        self.message = explain(exc, lang)
        self.setText(self.tr("{0} did not succeed.").format(action))
        parts = [self.tr("What happened: {0}").format(self.message)]
        if is_capture_stop(exc):
            parts.append(
                self.tr(
                    "Capture has stopped so that nothing goes unrecorded. Close the session with two officers, then start a new one."
                )
            )
        if sealed is not None:
            parts.append(
                self.tr(
                    "Nothing sealed was lost: the case's ledger holds {0} entries; the last is No. {1} ({2}…)."
                ).format(sealed.entries, sealed.last_seq, sealed.last_hash[:16])
            )
        else:
            parts.append(
                self.tr(
                    "Nothing sealed was lost: every sealed entry is final the moment it is written, and a failure cannot undo it."
                )
            )
        self.setInformativeText("\n\n".join(parts))
        if isinstance(exc, QuzhengError):
            other = "en" if lang.startswith("zh") else "zh"
            self.setDetailedText(exc.diagnostics(other))
        else:
            self.setDetailedText(f"{type(exc).__name__}: {exc}")
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 460px; }")


def show_error(
    parent: QWidget | None,
    action: str,
    exc: BaseException,
    lang: str,
    sealed: SealedState | None = None,
) -> ErrorDialog:
    box = ErrorDialog(parent, action, exc, lang, sealed)
    box.open()
    return box

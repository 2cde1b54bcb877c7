"""Long work with a progress dialog: ``run_with_progress`` (the one task helper underneath).

The dialog opens at once (busy, or with a bar when the work reports progress), the work
runs through ``app.capture.tasks.run_task`` off the GUI thread, and ``on_done`` gets the
``Outcome`` on the GUI thread after the dialog has closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.capture.tasks import Outcome, run_task
from app.desk.progress import ProgressRelay

type ProgressFn = Callable[[int, int], None]


def run_with_progress[T](
    parent: QWidget | None,
    label: str,
    func: Callable[[ProgressFn | None], T],
    on_done: Callable[[Outcome[T]], None],
    *,
    determinate: bool = False,
) -> QProgressDialog:
    dialog = QProgressDialog(label, "", 0, 0 if not determinate else 100, parent)
    dialog.setWindowTitle(label)
    dialog.setCancelButton(None)  # sealing work is not cancelled halfway
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    relay: ProgressRelay | None = None
    if determinate:
        relay = ProgressRelay(dialog)

        def show(done: int, total: int) -> None:
            dialog.setValue(100 if total <= 0 else min(100, done * 100 // total))

        relay.progressed.connect(show)
    dialog.show()
    callback = relay.report if relay is not None else None

    def finish(outcome: Outcome[T]) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(outcome)

    run_task(lambda: func(callback), finish)
    return dialog


def ignore(_outcome: Outcome[Any]) -> None:
    """For work whose result nobody waits for (errors are logged by the runner)."""

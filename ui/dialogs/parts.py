"""Pieces the dialogs share: a path field with its Choose… button, the file picker behind it,
the findings table, and the usual tail (message, Ok/Close buttons, layout). Every text comes in
already translated, so each ``tr()`` stays in the dialog's own class (its translation context)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.findings import FindingsModel
from ui.util import named

_Button = QDialogButtonBox.StandardButton


def path_row(edit: QLineEdit, choose: str, on_pick: Callable[[], None]) -> QHBoxLayout:
    """``edit`` stretched beside a button labelled ``choose`` that calls ``on_pick``."""
    pick = QPushButton(choose)
    pick.clicked.connect(on_pick)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(pick)
    return row


def pick_file(
    parent: QWidget,
    edit: QLineEdit,
    caption: str,
    filters: str,
    *,
    start: str = "",
    save: bool = False,
) -> None:
    """Ask for a file (to open, or with ``save`` to write) and put the chosen path in ``edit``;
    a cancelled dialog leaves it as it was."""
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = ask(parent, caption, start, filters)
    if path:
        edit.setText(path)


def message_label(text: str = "", name: str = "message") -> QLabel:
    """The word-wrapped label (named ``message`` unless told) where a dialog says how things
    went."""
    label = named(QLabel(text), name)
    label.setWordWrap(True)
    return label


def findings_table(model: FindingsModel) -> QTableView:
    """A table of verification findings, the message column stretched and rows wrapped."""
    table = QTableView()
    table.setModel(model)
    table.horizontalHeader().setSectionResizeMode(
        FindingsModel.MESSAGE, QHeaderView.ResizeMode.Stretch
    )
    table.verticalHeader().hide()
    table.setWordWrap(True)
    return table


def add_findings(
    layout: QVBoxLayout, verdict: QLabel, table: QTableView, buttons: QDialogButtonBox
) -> None:
    """The verdict, the findings table (taking the spare height) and the buttons, in order."""
    layout.addWidget(verdict)
    layout.addWidget(table, 1)
    layout.addWidget(buttons)


def finish_form(
    dialog: QDialog,
    form: QFormLayout,
    message: QLabel,
    ok_text: str,
    on_ok: Callable[[], None],
    *,
    min_width: int,
    intro: QWidget | None = None,
    dismiss: QDialogButtonBox.StandardButton = _Button.Close,
) -> QDialogButtonBox:
    """Lay ``dialog`` out as (``intro``), ``form``, ``message`` and Ok/``dismiss`` buttons, Ok
    reading ``ok_text`` and calling ``on_ok``, the other button rejecting; return the buttons."""
    buttons = QDialogButtonBox(_Button.Ok | dismiss)
    buttons.button(_Button.Ok).setText(ok_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    if intro is not None:
        layout.addWidget(intro)
    layout.addLayout(form)
    layout.addWidget(message)
    layout.addWidget(buttons)
    dialog.setMinimumWidth(min_width)
    return buttons

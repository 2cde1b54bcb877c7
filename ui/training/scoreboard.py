"""The instructor's scoreboard: several sealed packages scored against one exercise and
ranked, off the GUI thread with progress; the board is exported as CSV, HTML or PDF.

The board's files are written into a scratch folder while the dialog is open
(``forensics.training.leaderboard`` writes all of them at once); exporting copies one of
them where the instructor chooses. The scratch folder is removed when the dialog closes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.capture.tasks import Outcome, run_task
from app.desk.errors import explain
from app.desk.training import build_board, copy_out, exercises
from app.installation import Installation
from forensics.training import Exercise, Leaderboard
from ui.tasks import ProgressFn, ignore, run_with_progress
from ui.training.board_model import BoardModel
from ui.util import named

FORMATS = ("csv", "html", "pdf")


class ScoreboardDialog(QDialog):
    computed = Signal(object)  # Leaderboard
    exported = Signal(object)  # Path

    def __init__(self, inst: Installation, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inst, self.lang = inst, lang
        self.board: Leaderboard | None = None
        self.exercises: list[Exercise] = []
        self._scratch: list[Path] = []
        self.setObjectName("scoreboardDialog")
        self.setWindowTitle(self.tr("Instructor scoreboard"))
        self.exercise = named(QComboBox(), "exercise")
        self.packages = named(QListWidget(), "packages")
        self.packages.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.packages.setMaximumHeight(120)
        add = QPushButton(self.tr("Add packages…"))
        add.clicked.connect(self._pick)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._remove)
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.packages, 1)
        row.addLayout(side)
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("only for encrypted packages"))
        form = QFormLayout()
        form.addRow(self.tr("Exercise"), self.exercise)
        form.addRow(self.tr("Packages (.qzp)"), row)
        form.addRow(self.tr("Password"), self.password)
        self.message = named(
            QLabel(self.tr("Add the trainees' packages, then compute.")), "message"
        )
        self.message.setWordWrap(True)
        self.model = BoardModel(lang[:2], self)
        self.table = named(QTableView(), "board")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.compute_button = self.buttons.addButton(
            self.tr("Compute"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.compute_button.clicked.connect(self.start)
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt, text in (
            ("csv", self.tr("Export CSV…")),
            ("html", self.tr("Export HTML…")),
            ("pdf", self.tr("Export PDF…")),
        ):
            button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
            self.export_buttons[fmt] = button
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.finished.connect(self._clean)
        self.resize(980, 600)
        run_task(exercises, self._exercises_loaded)

    # -- input ----------------------------------------------------------------------------

    def _exercises_loaded(self, outcome: Outcome[list[Exercise]]) -> None:
        if outcome.error is not None:
            self._say(
                self.tr("The exercises could not be read: {0}").format(
                    explain(outcome.error, self.lang)
                ),
                error=True,
            )
            return
        self.exercises = outcome.unwrap()
        self.exercise.clear()
        for ex in self.exercises:
            self.exercise.addItem(ex.title.get(self.lang), ex.id)

    def choose_exercise(self, exercise_id: str) -> None:
        index = self.exercise.findData(exercise_id)
        if index >= 0:
            self.exercise.setCurrentIndex(index)

    def _pick(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Packages"), "", self.tr("Sealed package (*.qzp)")
        )
        self.add_packages([Path(p) for p in paths])

    def add_packages(self, paths: Sequence[Path]) -> None:
        have = set(self.package_paths())
        for p in paths:
            if p not in have:
                self.packages.addItem(str(p))
                have.add(p)

    def _remove(self) -> None:
        for item in self.packages.selectedItems():
            self.packages.takeItem(self.packages.row(item))

    def package_paths(self) -> list[Path]:
        return [Path(self.packages.item(i).text()) for i in range(self.packages.count())]

    # -- computing ------------------------------------------------------------------------

    def start(self) -> None:
        paths = self.package_paths()
        exercise_id = self.exercise.currentData()
        if not paths or not isinstance(exercise_id, str):
            self._say(self.tr("Choose an exercise and at least one package."), error=True)
            return
        inst, password = self.inst, self.password.text()

        def work(progress: ProgressFn | None) -> Leaderboard:
            out = Path(tempfile.mkdtemp(prefix="qz-board-"))
            try:
                return build_board(
                    inst, paths, exercise_id, out, password=password, progress=progress
                )
            except BaseException:
                shutil.rmtree(out, ignore_errors=True)
                raise

        self.compute_button.setEnabled(False)
        run_with_progress(
            self,
            self.tr("Scoring {0} package(s)…").format(len(paths)),
            work,
            self._computed,
            determinate=True,
        )

    def _computed(self, outcome: Outcome[Leaderboard]) -> None:
        self.compute_button.setEnabled(True)
        if outcome.error is not None:
            self._say(
                self.tr("The scoreboard could not be computed: {0}").format(
                    explain(outcome.error, self.lang)
                ),
                error=True,
            )
            return
        board = outcome.unwrap()
        self._scratch.append(board.csv_path.parent)
        self.board = board
        self.model.set_board(board)
        unreadable = sum(r.table is None or not r.table.readable for r in board.rows)
        self._say(
            self.tr("{0} package(s) scored; {1} could not be read.").format(
                len(board.rows) - unreadable, unreadable
            )
        )
        for fmt, button in self.export_buttons.items():
            button.setEnabled(self._file(fmt) is not None)
        self.computed.emit(board)

    # -- export ---------------------------------------------------------------------------

    def _file(self, fmt: str) -> Path | None:
        b = self.board
        if b is None:
            return None
        return {"csv": b.csv_path, "html": b.html_path, "pdf": b.pdf_path}[fmt]

    def export(self, fmt: str, target: Path | None = None) -> None:
        """Save the board as ``fmt`` to ``target`` (asked for when not given)."""
        source = self._file(fmt)
        if source is None:
            return
        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export the scoreboard"), f"leaderboard.{fmt}", f"*.{fmt}"
            )
            if not chosen:
                return
            target = Path(chosen)

        def saved(outcome: Outcome[Path]) -> None:
            if outcome.error is not None:
                self._say(
                    self.tr("The scoreboard could not be saved: {0}").format(
                        explain(outcome.error, self.lang)
                    ),
                    error=True,
                )
                return
            path = outcome.unwrap()
            self._say(self.tr("Saved: {0}").format(path))
            self.exported.emit(path)

        dest = target
        run_task(lambda: copy_out(source, dest), saved)

    # -- the rest -------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828" if error else "")

    def _clean(self, _result: int) -> None:
        folders, self._scratch = list(self._scratch), []

        def remove() -> None:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

        if folders:
            run_task(remove, ignore)

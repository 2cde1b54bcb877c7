"""The main window's side of the capture workspace: the command that starts the child
(``python -m ui.workspace``, or the frozen program itself) and ``WorkspaceProcess``, the
``QProcess`` handle that hands it its config and follows its events
(``app.desk.workspace_protocol``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QProcess, QProcessEnvironment, Signal

from app import frozen
from app.desk.workspace_protocol import WorkspaceConfig, parse_event
from forensics.childenv import child_environment


def workspace_command(module: str = "ui.workspace") -> list[str]:
    if module == "ui.workspace":
        return frozen.workspace_command()  # the frozen program starts itself
    return [sys.executable, "-m", module]


class WorkspaceProcess(QObject):
    """The main window's handle on a running workspace."""

    reported = Signal(dict)  # one protocol event
    finished = Signal(int, str)  # exit code, the end of its stderr

    def __init__(self, command: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.command = list(command)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.readyReadStandardError.connect(self._read_err)
        self.process.finished.connect(self._finished)
        self._buffer = b""
        self._stderr = b""
        self.events: list[dict[str, Any]] = []
        self.config: WorkspaceConfig | None = None

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, config: WorkspaceConfig, passphrase: str, env: Mapping[str, str] = {}) -> None:
        self.config = config
        # Our environment without secrets: the workspace hosts the browser (the passphrase
        # goes through stdin, below).
        penv = QProcessEnvironment()
        for key, value in child_environment().items():
            penv.insert(key, value)
        for key, value in env.items():
            penv.insert(key, value)
        root = str(Path(__file__).resolve().parents[2])
        penv.insert("PYTHONPATH", os.pathsep.join(p for p in (root, penv.value("PYTHONPATH")) if p))
        self.process.setProcessEnvironment(penv)
        self.process.start(self.command[0], [*self.command[1:], "--stdin"])
        secret = json.dumps({"config": json.loads(config.to_json()), "passphrase": passphrase})
        self.process.write(QByteArray((secret + "\n").encode("utf-8")))
        self.process.closeWriteChannel()

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            ev = parse_event(raw.decode("utf-8", "replace"))
            if ev is not None:
                self.events.append(ev)
                self.reported.emit(ev)

    def _read_err(self) -> None:
        self._stderr = (self._stderr + bytes(self.process.readAllStandardError().data()))[-8000:]

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()
        self._read_err()
        # A crash reports the signal (Qt's exit code for it) as a negative code, as
        # subprocess does: -9 is SIGKILL, 9 an exit code.
        crashed = status == QProcess.ExitStatus.CrashExit and code > 0
        self.finished.emit(
            -int(code) if crashed else int(code), self._stderr.decode("utf-8", "replace")
        )

    def kill(self) -> None:
        if self.running:
            self.process.kill()
            self.process.waitForFinished(5000)

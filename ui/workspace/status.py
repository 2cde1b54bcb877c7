"""The workspace's status bar: items sealed, last seal hash, TSA queue, proxy, clock."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from ui.util import named


class SessionStatus(QObject):
    """Labels in a status bar; the window tells it what changed."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.sealed = named(QLabel(), "statusSealed")
        self.last = named(QLabel(), "statusLastSeal")
        self.tsa = named(QLabel(), "statusTsa")
        self.proxy = named(QLabel(), "statusProxy")
        self.clock = named(QLabel(), "statusClock")
        for w in (self.sealed, self.last, self.tsa, self.proxy, self.clock):
            w.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(w)
        self.set_sealed(0, "")
        self.set_queue(0, "")
        self.set_proxy(True, "")
        self.set_clock("")

    def set_sealed(self, items: int, last_hash: str) -> None:
        self.sealed.setText(self.tr("Items sealed: {0}").format(items))
        self.last.setText(
            self.tr("Last seal: {0}").format(last_hash[:12] + "…" if last_hash else "—")
        )
        self.last.setToolTip(last_hash)

    def set_queue(self, pending: int, reason: str) -> None:
        if pending:
            self.tsa.setText(self.tr("TSA queue: {0} waiting").format(pending))
            self.tsa.setStyleSheet("color: #b35c00; font-weight: bold")
        else:
            self.tsa.setText(self.tr("TSA queue: empty"))
            self.tsa.setStyleSheet("color: #1a7f37")
        self.tsa.setToolTip(reason)

    def set_proxy(self, running: bool, listen: str) -> None:
        if running:
            self.proxy.setText(self.tr("Proxy: recording {0}").format(listen))
            self.proxy.setStyleSheet("color: #1a7f37")
        else:
            self.proxy.setText(self.tr("Proxy: stopped"))
            self.proxy.setStyleSheet("color: #c62828; font-weight: bold")

    def set_clock(self, offset: str) -> None:
        self.clock.setText(self.tr("Clock offset: {0}").format(offset or self.tr("not measured")))

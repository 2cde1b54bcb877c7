"""A sealed page snapshot (MHTML) shown as the page: Qt WebEngine loads the archive from the
sealed file itself, with scripts off and offline — every request that is not for the file is
refused (``OfflineGuard``), so viewing evidence never reaches the target again. The source
(quoted-printable MIME, as sealed) is one click away."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from forensics.childenv import scrub_environ
from ui.util import named
from ui.viewers.text import TextViewer

MHTML_SUFFIXES = (".mhtml", ".mht")
_ALLOWED_SCHEMES = frozenset({"data", "cid", "blob", "about"})
_OFF = (
    QWebEngineSettings.WebAttribute.JavascriptEnabled,
    QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows,
    QWebEngineSettings.WebAttribute.JavascriptCanAccessClipboard,
    QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
    QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls,
    QWebEngineSettings.WebAttribute.PluginsEnabled,
    QWebEngineSettings.WebAttribute.AutoLoadIconsForPage,
    QWebEngineSettings.WebAttribute.DnsPrefetchEnabled,
    QWebEngineSettings.WebAttribute.NavigateOnDropEnabled,
)


class OfflineGuard(QWebEngineUrlRequestInterceptor):
    """Lets through the snapshot file itself and in-page data; blocks everything else
    (and counts what it blocked)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.allowed: QUrl | None = None
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() in _ALLOWED_SCHEMES or self._is_the_file(url):
            return
        self.blocked.append(url.toString())
        info.block(True)

    def _is_the_file(self, url: QUrl) -> bool:
        allowed = self.allowed
        return (
            allowed is not None and url.isLocalFile() and url.toLocalFile() == allowed.toLocalFile()
        )


def _prepare_process() -> None:
    """Before Qt WebEngine starts in this process: Chromium's helper processes inherit the
    environment (no secret may be in it), and Chromium refuses its sandbox as root."""
    scrub_environ()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


class SnapshotViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = named(QLabel(), "snapshotInfo")
        self.info.setWordWrap(True)
        self.source_toggle = named(QToolButton(), "snapshotSource")
        self.source_toggle.setText(self.tr("Source"))
        self.source_toggle.setToolTip(self.tr("Show the sealed MHTML source instead of the page"))
        self.source_toggle.setCheckable(True)
        self.source_toggle.toggled.connect(self._toggle)
        self.source = TextViewer()
        self.stack = QStackedWidget()
        self.view: QWebEngineView | None = None  # made on first use (starts Qt WebEngine)
        self.guard: OfflineGuard | None = None
        self.profile: QWebEngineProfile | None = None
        self.page: QWebEnginePage | None = None
        self.stack.addWidget(self.source)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.source_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.path: Path | None = None
        self._copies: tempfile.TemporaryDirectory[str] | None = None
        self._copied: dict[Path, Path] = {}

    def _ensure_view(self) -> QWebEngineView:
        if self.view is not None:
            return self.view
        _prepare_process()
        self.profile = QWebEngineProfile()  # off the record: nothing kept on disk
        self.guard = OfflineGuard(self.profile)
        self.profile.setUrlRequestInterceptor(self.guard)
        settings = self.profile.settings()
        for attribute in _OFF:
            settings.setAttribute(attribute, False)
        # The view owns its page and (as a child object) the profile: the view's destructor
        # deletes the page before its children go, so no page outlives its profile.
        self.view = named(QWebEngineView(self.profile), "snapshotView")
        self.profile.setParent(self.view)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.page = self.view.page()
        self.page.loadFinished.connect(self._loaded)
        self.stack.addWidget(self.view)
        app = QCoreApplication.instance()
        if app is not None:  # the page goes before Qt WebEngine shuts down with the program
            app.aboutToQuit.connect(self._release)
        return self.view

    def _release(self) -> None:
        view, self.view, self.page, self.profile, self.guard = self.view, None, None, None, None
        if view is not None and shiboken6.isValid(view):
            shiboken6.delete(view)  # its page first, then its profile

    def load(self, path: Path) -> None:
        self.path = path
        view = self._ensure_view()
        assert self.guard is not None and self.page is not None
        url = QUrl.fromLocalFile(str(self._named_mhtml(path)))
        self.guard.allowed = url
        self.guard.blocked.clear()
        self.info.setText(self.tr("Loading the snapshot (scripts off, offline)…"))
        self.page.load(url)
        self.stack.setCurrentWidget(self.source if self.source_toggle.isChecked() else view)
        if self.source_toggle.isChecked():
            self.source.load(path, "text/plain")

    def _named_mhtml(self, path: Path) -> Path:
        """``path`` under a name Chromium reads as MHTML (it goes by the file name, after
        following links; sealed files are stored under their hash): a copy in a private
        temporary folder, so nothing the browser does can touch the sealed file."""
        if path.suffix.lower() in MHTML_SUFFIXES:
            return path
        if self._copies is None:
            self._copies = tempfile.TemporaryDirectory(prefix="quzheng-snapshot-")
            folder = self._copies
            self.destroyed.connect(lambda: folder.cleanup())
        copy = self._copied.get(path)
        if copy is None:  # numbered: two sealed files may share a name, never a copy
            copy = Path(self._copies.name) / f"{len(self._copied) + 1}-{path.name}.mhtml"
            shutil.copyfile(path, copy)
            self._copied[path] = copy
        return copy

    def _loaded(self, ok: bool) -> None:
        guard = self.guard
        blocked = len(guard.blocked) if guard is not None else 0
        if not ok:
            self.info.setText(self.tr("The snapshot could not be shown as a page."))
        elif blocked:
            self.info.setText(
                self.tr(
                    "The page as sealed; scripts off, offline ({0} outside requests blocked)."
                ).format(blocked)
            )
        else:
            self.info.setText(self.tr("The page as sealed; scripts off, offline."))

    def _toggle(self, source: bool) -> None:
        if source:
            if self.path is not None:
                self.source.load(self.path, "text/plain")
            self.stack.setCurrentWidget(self.source)
        elif self.view is not None:
            self.stack.setCurrentWidget(self.view)

    def stop(self) -> None:
        if self.page is not None:
            self.page.triggerAction(QWebEnginePage.WebAction.Stop)

"""Multi-step GUI work written as a generator, driven by Qt callbacks — no nested event loop.

A capture action has to wait for things that only the event loop can deliver (a
``runJavaScript`` result, a repaint, a timer) and for background work (PNG encoding,
sealing). Written as callbacks it becomes unreadable; written with nested event loops it
becomes re-entrant. Here the action is a generator that yields what it waits for::

    def steps():
        height = yield Js("document.documentElement.scrollHeight")
        yield Sleep(100)
        ok = yield Poll(lambda: painter.count > n, timeout_ms=4000)
        record = yield Background(lambda: seal(image))
        return record

    drive(steps(), page, on_done)

``drive`` resumes the generator on the GUI thread each time; an exception inside it, a
failed background call (thrown into the generator) or a JavaScript call that never answers
(``CaptureError`` after ``Js.timeout_ms``) ends it, and ``on_done`` gets the ``Outcome``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWebEngineCore import QWebEnginePage

from app.capture.tasks import Outcome, run_task
from forensics.errors import CaptureError

logger = logging.getLogger(__name__)


APPLICATION_WORLD = 1  # QWebEngineScript.ScriptWorldId.ApplicationWorld


@dataclass(frozen=True)
class Js:
    """Run JavaScript in the page; resume with its result (numbers, strings, booleans —
    pass objects as JSON text). It runs in an isolated world by default: it sees the
    page's DOM, but the page's scripts never see its variables, and it sees none of theirs.
    """

    source: str
    timeout_ms: int = 15_000
    world: int = APPLICATION_WORLD


@dataclass(frozen=True)
class Sleep:
    ms: int


@dataclass(frozen=True)
class Poll:
    """Resume with True once ``predicate()`` holds, or False after ``timeout_ms``."""

    predicate: Callable[[], bool]
    timeout_ms: int
    interval_ms: int = 50


@dataclass(frozen=True)
class Background:
    """Run ``func`` off the GUI thread (``run_task``); resume with its value or its error."""

    func: Callable[[], Any]


type Step = Js | Sleep | Poll | Background
type Steps = Generator[Step, Any, Any]

_running: set[_Driver] = set()


class _Driver(QObject):
    def __init__(
        self,
        gen: Steps,
        page: QWebEnginePage | None,
        on_done: Callable[[Outcome[Any]], None],
    ) -> None:
        super().__init__()
        self._gen = gen
        self._page = page
        self._on_done = on_done
        self._token = 0  # each wait gets a token; late callbacks of an old wait are ignored
        self._finished = False

    def start(self) -> None:
        _running.add(self)
        self._advance(lambda: next(self._gen))

    def _advance(self, resume: Callable[[], Step]) -> None:
        if self._finished:
            return
        self._token += 1
        try:
            step = resume()
        except StopIteration as stop:
            self._finish(Outcome(value=stop.value))
            return
        except Exception as exc:
            self._finish(Outcome(error=exc))
            return
        self._wait(step, self._token)

    def _send(self, token: int, value: Any) -> None:
        if token == self._token:
            self._advance(lambda: self._gen.send(value))

    def _throw(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self._advance(lambda: self._gen.throw(exc))

    def _wait(self, step: Step, token: int) -> None:
        if isinstance(step, Sleep):
            QTimer.singleShot(max(0, step.ms), self, lambda: self._send(token, None))
        elif isinstance(step, Js):
            if self._page is None:
                self._throw(
                    token, CaptureError("No page to run a script in.", "没有可执行脚本的页面。")
                )
                return
            self._page.runJavaScript(
                step.source, step.world, lambda value: self._send(token, value)
            )
            QTimer.singleShot(
                step.timeout_ms,
                self,
                lambda: self._throw(
                    token,
                    CaptureError(
                        "The page did not answer in time (it may have crashed or be busy).",
                        "页面未及时响应（可能已崩溃或忙碌）。",
                    ),
                ),
            )
        elif isinstance(step, Poll):
            self._poll(step, token, step.timeout_ms)
        elif isinstance(step, Background):

            def done(outcome: Outcome[Any]) -> None:
                if outcome.error is not None:
                    self._throw(token, outcome.error)
                else:
                    self._send(token, outcome.value)

            run_task(step.func, done)
        else:  # a programming error inside the action
            self._throw(token, TypeError(f"unknown step {step!r}"))

    def _poll(self, step: Poll, token: int, left_ms: int) -> None:
        if token != self._token:
            return
        try:
            ok = step.predicate()
        except Exception as exc:
            self._throw(token, exc)
            return
        if ok or left_ms <= 0:
            self._send(token, bool(ok))
            return
        interval = max(1, step.interval_ms)
        QTimer.singleShot(interval, self, lambda: self._poll(step, token, left_ms - interval))

    def _finish(self, outcome: Outcome[Any]) -> None:
        self._finished = True
        _running.discard(self)
        try:
            self._on_done(outcome)
        except Exception:
            logger.exception("capture step callback failed")
        self.deleteLater()


def drive(
    gen: Steps,
    page: QWebEnginePage | None,
    on_done: Callable[[Outcome[Any]], None],
) -> None:
    """Run ``gen`` to its end on the GUI thread; ``on_done`` gets its return value or error."""
    _Driver(gen, page, on_done).start()

"""What the browser asked for: every request, and the navigation steps of the main frame.

Engine-neutral (no Qt): the Chromium engine feeds it from CDP/Playwright events, the Qt
WebEngine fallback from its request interceptor. It only records — requests are never
changed or blocked here: the proxy, not the browser, is the recorder.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.capture.live import StreamLog
from forensics.canonical import format_time, utc_now

MAX_REQUEST_LOG = 100_000


@dataclass(frozen=True)
class RequestSeen:
    time: str
    url: str
    method: str
    resource: str
    navigation: str
    first_party: str


class NavigationLog:
    """Thread-safe: the Chromium engine calls ``record`` on its own thread."""

    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now
        self._lock = threading.Lock()
        self.requests: deque[RequestSeen] = deque(maxlen=MAX_REQUEST_LOG)
        self.steps: list[dict[str, Any]] = []
        self.streams = StreamLog()  # live-stream URLs asked for (``app.capture.live``)
        self.last_request = time.monotonic()  # when the page last asked for anything

    def record(
        self,
        url: str,
        method: str,
        resource: str,
        navigation: str,
        first_party: str,
        *,
        main_frame: bool,
    ) -> RequestSeen:
        """One request the browser made; a main-frame request is a navigation step."""
        seen = RequestSeen(format_time(self._now()), url, method, resource, navigation, first_party)
        with self._lock:
            self.last_request = time.monotonic()
            self.requests.append(seen)
            self.streams.saw(seen.url, seen.resource)
            if main_frame:
                self.steps.append(
                    {
                        "time": seen.time,
                        "url": seen.url,
                        "how": seen.navigation.lower(),
                        "method": seen.method,
                    }
                )
        return seen

    def note_url(self, url: str) -> None:
        """The page's URL changed without a request (history API, fragment)."""
        with self._lock:
            if self.steps and self.steps[-1]["url"] == url:
                return
            self.steps.append(
                {"time": format_time(self._now()), "url": url, "how": "in_page", "method": ""}
            )

    def note_how(self, url: str, how: str) -> None:
        """How the browser reached ``url`` (an engine that learns it after the request:
        Chromium's history entry), for the newest step to that URL."""
        with self._lock:
            for step in reversed(self.steps):
                if step["url"] == url:
                    if step["how"] in ("", "navigation"):
                        step["how"] = how
                    return

    def note_loaded(self, url: str, title: str, ok: bool) -> None:
        with self._lock:
            for step in reversed(self.steps):
                if step["url"] == url:
                    step.setdefault("title", title)
                    step.setdefault("loaded", ok)
                    return

    def steps_copy(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(s) for s in self.steps]

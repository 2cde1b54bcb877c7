"""``ProxyWatch``: the capture session's side of the recording proxy (its reader thread).

Each traffic segment the proxy closes is sealed as ``capture.traffic`` (folder ``archive``,
``application/warc``) and indexed, so captures can name the server IP and certificate of
their page; one that cannot be sealed stops the capture. A response still arriving when its
segment closed (a live stream) is in it as its next part, and the entry names each such part
(``partials``: URI, origin record id, segment number, payload byte range; see
docs/package-format.md §4), so every period of a live stream is sealed and time-stamped
while it runs. If the proxy dies while capture
runs, the capture stops too (``_watch_proxy``).

Only the session's browser may use the recording proxy (``forensics.capture.clientauth``):
it answers the proxy's challenge with the session's secret. When another program on the
computer tries the proxy it is refused (nothing of it is forwarded, recorded or sealed);
the officer is told at once, and ``session.end`` carries it as an environment finding
(``proxy_findings``: how many attempts, the first few with client port, method, host and
time) and as a bilingual warning.

The browser's own background requests to its vendor's services (sign-in, update checks,
made by the browser process without the page's credentials) are refused as well, but they
are no intruder: the officer is not alerted, and ``session.end`` carries them as an
informational finding of their own (``browser-background-refused``: how many, and the hosts
of the first few).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any, Final

from app.capture.sealer import Item, describe
from app.capture.session_state import SessionState
from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.errors import CaptureError
from forensics.ledger import Record

logger = logging.getLogger(__name__)

PROXY_REFUSED_EN: Final = (
    "another program on this computer tried to use the recording proxy; it was refused"
)
PROXY_REFUSED_ZH: Final = "本机另一程序试图使用取证代理，已被拒绝"
BACKGROUND_REFUSED_EN: Final = (
    "the capture browser's own background requests to its vendor's services (sign-in, "
    "update checks) were refused by the recording proxy; nothing of them was sent or recorded"
)
BACKGROUND_REFUSED_ZH: Final = (
    "取证浏览器自身向其厂商服务发出的后台请求（登录、更新检查等）已被取证代理拒绝，未发出，也未录制"
)


def proxy_findings(proxy: RecordingProxy | None) -> list[dict[str, Any]]:
    """``session.end``'s environment findings about the proxy (empty when none)."""
    if proxy is None:
        return []
    findings: list[dict[str, Any]] = []
    count = proxy.refused_count
    if count:
        findings.append(
            {
                "kind": "proxy-client-refused",
                "count": count,
                "first": proxy.refusals,
                "en": f"{PROXY_REFUSED_EN} ({count} attempt(s))",
                "zh": f"{PROXY_REFUSED_ZH}（{count} 次）",
            }
        )
    background = proxy.background_count
    if background:
        hosts = sorted({str(r["host"]) for r in proxy.background_refusals if "host" in r})
        findings.append(
            {
                "kind": "browser-background-refused",
                "count": background,
                "hosts": hosts,
                "en": f"{BACKGROUND_REFUSED_EN} ({background} request(s))",
                "zh": f"{BACKGROUND_REFUSED_ZH}（{background} 次）",
            }
        )
    return findings


class ProxyWatch(SessionState):
    """The callbacks the proxy is given at start (``_on_segment``, ``_on_proxy_error``,
    ``_on_proxy_refused``) and its watcher thread (``_watch_proxy``); none of them runs on
    the GUI thread."""

    def _on_segment(self, info: SegmentInfo) -> None:
        self._last_segment_at = time.monotonic()

        def job() -> Record:
            data = info.ledger_data()
            record = self.sealer.seal_items_now(
                "capture.traffic",
                data,
                [Item(info.path.name, "application/warc", path=info.path)],
                folder="archive",
            )
            try:
                self.index.add_segment(info.path)
            except Exception as exc:  # the seal stands; only the lookup is poorer
                logger.warning("could not index %s: %s", info.path.name, exc)
                self.warnings.append(f"traffic segment {info.path.name} not indexed: {exc}")
            with contextlib.suppress(OSError):
                info.path.unlink()  # sealed into the blob store
            return record

        future = self.sealer.submit(job)
        with self._lock:
            self._traffic.append(future)
        future.add_done_callback(self._traffic_sealed)

    def _traffic_sealed(self, future: Future[Record]) -> None:
        exc = future.exception()
        if exc is not None:
            err = describe(exc)
            self._fail(
                CaptureError(
                    f"Recorded traffic could not be sealed; capture stopped: {err.message_en}",
                    f"录制的网络流量无法封存，取证已停止：{err.message_zh}",
                )
            )
        elif self.events is not None:
            self.events.sealed.emit(future.result())

    def _on_proxy_error(self, err: CaptureError) -> None:
        self.warnings.append(err.message_en)
        logger.warning("recording proxy: %s", err.message_en)

    def _on_proxy_refused(self, detail: Mapping[str, object]) -> None:
        """Proxy reader thread: another client was turned away. Told once, live. (The
        browser's own background requests never come here.)"""
        if detail.get("n") == 1:
            self._say(f"{PROXY_REFUSED_ZH} / {PROXY_REFUSED_EN}")

    def _watch_proxy(self) -> None:
        proxy = self.proxy
        assert proxy is not None
        for _event in proxy.events():
            pass
        if self._stopping:
            return
        # The proxy has gone while capture was running: nothing would be recorded any more.
        for _ in range(50):
            if proxy.returncode is not None:
                break
            time.sleep(0.02)
        code = proxy.returncode
        why = proxy.error.message_en if proxy.error else f"exit status {code}"
        why_zh = proxy.error.message_zh if proxy.error else f"退出状态 {code}"
        self._fail(
            CaptureError(
                f"The recording proxy stopped unexpectedly ({why}). Capture has stopped so "
                "that nothing goes unrecorded; what was sealed is kept. Close the session, "
                "then start a new one.",
                f"取证代理意外停止（{why_zh}）。为避免未被记录的浏览，取证已停止；已封存的内容均保留。"
                "请结束本次会话后重新开始。",
            )
        )

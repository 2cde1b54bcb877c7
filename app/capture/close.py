"""``SessionClose``: the end of a capture session.

``stop_capture`` (GUI thread, at once: the recording stopped, the page blanked), ``finish``
(off the GUI thread: the last video segment sealed, the proxy stopped, the after-check,
``session.end`` with the officers' signatures, the last time-stamps, the work folder
removed) and ``abandon`` (an unrecoverable start-up error: everything stopped, the session
left open in the ledger).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from typing import Any

from app.capture.proxy_watch import proxy_findings
from app.capture.sealer import describe
from app.capture.session_state import SessionState
from app.capture.summary import SessionSummary
from forensics.canonical import format_time
from forensics.errors import CaptureError, QuzhengError
from forensics.identity import Signer
from forensics.stamping import StampOutcome, TsaConfig, stamp_pending


class SessionClose(SessionState):
    """How a capture session ends (see ``CaptureSession``)."""

    def stop_capture(self) -> None:
        """GUI thread, returns at once: stop the recording (no frame after this; its last
        segment is closed and sealed in the background, and ``finish`` waits for it) and
        blank the page."""
        if self.recorder is not None and self.recorder.state in ("recording", "paused"):
            self.recorder.request_stop()
        if self.browser is not None and not self.browser.shut_down:
            self._steps = self.browser.navlog.steps_copy()
            self.browser.set_enabled_for_capture(False)
        self._captured = True

    def finish(
        self,
        signers: Sequence[Signer],
        *,
        tsa: TsaConfig | None = None,
        allow_single_officer: bool = False,
        timeout: float = 120.0,
        failure: BaseException | None = None,
    ) -> SessionSummary:
        """Stop the proxy (its last segment sealed), run the after-check, close the session
        with the officers' signatures and stamp what is still queued (``session.end``; with
        the session's stamper, every earlier seal point was stamped as it was sealed, and
        the summary counts those tokens too; ``tsa`` is used only without one).

        Call ``stop_capture()`` on the GUI thread first; this then touches no widget and
        blocks (proxy shutdown, the after-check's network probes, the TSA), so the GUI runs
        it with ``run_task``. Capture errors do not raise here: they are in the summary and
        in ``session.end``; so is ``failure``, an error of the caller's that ended the
        capture (e.g. the page would not load). Raises ``PolicyError`` if the officers
        cannot close the session (it stays open, and can be closed again with the right
        signatures).
        """
        if self.session_id is None:
            raise CaptureError("The session has not started.", "取证会话尚未开始。")
        if not self._captured:
            self.stop_capture()
        if self.recorder is not None:
            try:
                self.recorder.wait_stopped(timeout)  # the last video segment is sealed
            except CaptureError as exc:
                self._fail(exc)
        self._stopping = True
        proxy = self.proxy
        if proxy is not None:
            proxy.stop(timeout)  # the last segment is reported (and queued) before return
            if self._watcher is not None:
                self._watcher.join(timeout)
            if self.error is not None and not proxy.running:
                # A dead proxy may have left a segment open: repair and seal it now.
                self.leftovers.seal_after_proxy_death()
        self.sealer.drain(timeout)
        if not self.stream_items.drain(timeout):  # stream and chat items before session.end
            self.warnings.append("stream/chat items still being made when the session closed")
        with self._lock:
            traffic = list(self._traffic)
        for future in traffic:
            if future.exception() is not None:
                self._fail(describe(future.exception() or Exception("traffic seal failed")))
        if not self._after_checked:
            self._after_checked = True
            try:
                self._env_check("after")
            except QuzhengError as exc:
                self.warnings.append(f"after-check failed: {exc.message_en}")
        err = self.error or (describe(failure) if failure is not None else None)
        findings = proxy_findings(self.proxy)
        for finding in findings:
            if finding["kind"] == "browser-background-refused":
                continue  # informational: the browser's own requests, refused as they must be
            text = f"{finding['zh']} / {finding['en']}"
            if text not in self.warnings:  # finish() may run again after a refused close
                self.warnings.append(text)
        data: dict[str, Any] = {
            "ended": format_time(self._now()),
            "completed": err is None,
            "traffic_segments": sum(1 for f in traffic if f.exception() is None),
            "video_segments": len(self.recorder.sealed_segments()) if self.recorder else 0,
            "navigation": self._steps,
            "logged_in_account": self.logged_in_account,
            "warnings": list(self.warnings),
            "environment_findings": findings,
        }
        if err is not None:
            data["stopped_because"] = {"en": err.message_en, "zh": err.message_zh}
        session = self.session_id
        end = self.sealer.submit(
            lambda: self.case.end_session(
                session, signers, data=data, allow_single_officer=allow_single_officer
            )
        )
        end.result(timeout)  # PolicyError propagates: the session stays open
        stamps: StampOutcome | None = None
        if self.stamper is None and tsa is not None:
            stamps = self.sealer.submit(lambda: stamp_pending(self.case, self.signer, tsa)).result(
                timeout
            )
        with self._lock:
            self._finished = True
        stamps = self._close_writers(timeout) or stamps
        self._cleanup()
        return SessionSummary(session, list(self.sealer.records), err, stamps, list(self.warnings))

    def _cleanup(self) -> None:
        """Remove the session's work folder once the browser is gone (it may hold cookies)."""
        self._close_sound()
        if self.session_dir is None:
            return
        if self.browser is None or self.browser.shut_down:
            shutil.rmtree(self.session_dir / "browser", ignore_errors=True)
        shutil.rmtree(self.session_dir / "tmp", ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.session_dir / "video").rmdir()
        if self._session_lock is not None:
            self._session_lock.release(unlink=True)
            self._session_lock = None
        with contextlib.suppress(OSError):
            self.session_dir.rmdir()

    def _close_sound(self) -> None:
        sound, self.sound = self.sound, None
        if sound is not None:
            with contextlib.suppress(Exception):
                sound.close()

    def abandon(self) -> None:
        """Stop the proxy and the sealer without closing the session (an unrecoverable
        start-up error in the caller). The open session is visible in the ledger."""
        self._stopping = True
        if self.recorder is not None and self.recorder.state in ("recording", "paused"):
            with contextlib.suppress(QuzhengError):
                self.recorder.stop()
        if self.proxy is not None:
            self.proxy.stop()
        self._close_sound()
        with contextlib.suppress(Exception):
            self.sealer.drain(60)
        self._close_writers()
        if self._session_lock is not None:
            self._session_lock.release()
            self._session_lock = None

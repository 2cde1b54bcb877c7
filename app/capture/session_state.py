"""``SessionState``: what a capture session holds, and the plumbing all its parts share.

The base of ``app.capture.session.CaptureSession`` (its other parts: ``proxy_watch`` and
``close``): the state every part reads, the session's writers (the sealer, the one writer
thread, and with a TSA the background stamper that asks for each seal point's token right
after its seal), its work folder (created and locked at start), the clean-environment
check's seal, and failing closed (``_fail``: the first error stops the capture).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

from app.capture.browser import BrowserConfig
from app.capture.chromium.discover import BrowserInstall
from app.capture.engines import CaptureBrowser
from app.capture.envcheck import seal_env_check
from app.capture.events import SessionEvents
from app.capture.leftovers import PROXY_DIR, SESSION_DIR_PREFIX, Leftovers
from app.capture.live import StreamLog
from app.capture.options import CaptureOptions
from app.capture.recorder import ScreenRecorder
from app.capture.sealer import Sealer
from app.capture.sound import SoundPlan, SoundSource
from app.capture.stream_items import StreamItems
from app.capture.traffic import TrafficIndex
from app.installation import Installation
from forensics.canonical import utc_now
from forensics.capture.controller import RecordingProxy
from forensics.capture.warc import RunLock
from forensics.case import Case
from forensics.errors import CaptureError
from forensics.identity import Signer
from forensics.ledger import STAMPED_KINDS, Record
from forensics.stamping import BackgroundStamper, StampOutcome, TsaConfig

logger = logging.getLogger(__name__)


class SessionState:
    """The state of one capture session; see ``CaptureSession`` for its life."""

    def __init__(
        self,
        inst: Installation,
        case: Case,
        signer: Signer,
        *,
        options: CaptureOptions | None = None,
        now: Callable[[], datetime] = utc_now,
        out: Callable[[str], None] | None = None,
        tsa: TsaConfig | None = None,
    ) -> None:
        self.inst = inst
        self.case = case
        self.signer = signer
        self.options = options or CaptureOptions()
        self._now = now
        self._out = out
        self.sealer = Sealer(case, signer, on_record=self._record_sealed)
        # With a TSA: each seal point's token is asked for right after its seal (from start).
        self.tsa = tsa
        self.stamper: BackgroundStamper | None = None
        self.index = TrafficIndex()
        self.session_id: str | None = None
        self.proxy: RecordingProxy | None = None
        self.browser: CaptureBrowser | None = None
        self.browser_install: BrowserInstall | None = None  # None: the Qt WebEngine fallback
        self.sound_plan = SoundPlan(None, "no sound", "无声音")
        self.sound: SoundSource | None = None  # the browser's sound, for the recording
        self.browser_facts: dict[str, Any] | None = None  # as session.start names it
        self._target: dict[str, str] = {}  # the case target, read when the browser attaches
        self._streams = StreamLog()
        self.recorder: ScreenRecorder | None = None
        self.events: SessionEvents | None = None
        self.logged_in_account: str | None = None
        self.warnings: list[str] = []
        self._error: CaptureError | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._finished = False
        self._captured = False
        self._steps: list[dict[str, Any]] = []
        self._last_segment_at = 0.0
        self._after_checked = False
        self._watcher: threading.Thread | None = None
        self._session_lock: RunLock | None = None
        self._traffic: list[Future[Record]] = []
        self.work = case.store.dir / "work"
        self.proxy_dir = self.work / PROXY_DIR
        self.session_dir: Path | None = None
        # What earlier runs (or this session's dead proxy) left unsealed in ``work``.
        self.leftovers = Leftovers(
            case, self.sealer, self.work, warn=self.warnings.append, say=self._say
        )
        # The stream as received and the chat, derived from each sealed traffic segment.
        self.stream_items = StreamItems(
            case,
            self.sealer,
            case.store.dir / "tmp" / "stream",
            warn=self.warnings.append,
            recording=lambda: self.recorder is not None and self.recorder.recording,
            max_wait_s=self.options.video.segment_seconds + 15.0,
        )

    # -- state ----------------------------------------------------------------------------

    @property
    def error(self) -> CaptureError | None:
        with self._lock:
            return self._error

    @property
    def case_number(self) -> str:
        return self.case.store.get_meta("number") or self.case.case_id[:8]

    @property
    def browser_config(self) -> BrowserConfig:
        if self.proxy is None:
            raise CaptureError("The session has not started.", "取证会话尚未开始。")
        return BrowserConfig.from_disclosure(
            self.proxy.proxy_url, self.proxy.disclosure, self.proxy.credentials
        )

    def check_alive(self) -> None:
        err = self.error
        if err is not None:
            raise err
        if self.proxy is None or not self.proxy.running or self._stopping:
            raise CaptureError(
                "Capture has stopped: the recording proxy is not running.",
                "取证已停止：取证代理未运行。",
            )

    def _say(self, text: str) -> None:
        if self._out is not None:
            self._out(text)
        if self.events is not None:
            self.events.message.emit(text)

    # -- writers: the sealer and the time-stamps ------------------------------------------

    def _record_sealed(self, record: Record) -> None:
        """Sealer thread, after every entry: a seal point asks for its token now."""
        if record.kind in STAMPED_KINDS and self.stamper is not None:
            self.stamper.poke()
        self.stream_items.on_record(record)

    def _write_on_sealer(self, job: Callable[[], bool]) -> bool:
        """The stamper's writes (token entries, the queue) go through the one writer."""
        return self.sealer.submit(job).result()

    def _close_writers(self, timeout: float = 60.0) -> StampOutcome | None:
        """Last time-stamp attempt (through the sealer), then stop the sealer."""
        stamps = None
        if self.stamper is not None:
            stamps = self.stamper.close(timeout)
        self.stream_items.close()
        self.sealer.close(timeout)
        return stamps

    # -- work folder and clean-environment check ------------------------------------------

    def _new_session_dir(self) -> Path:
        d = self.work / f"{SESSION_DIR_PREFIX}{uuid.uuid4().hex[:12]}"
        try:
            d.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise CaptureError(f"Cannot create {d}: {exc}", f"无法创建 {d}：{exc}") from exc
        lock = RunLock(d / ".lock")
        if not lock.acquire():
            raise CaptureError(f"{d} is in use.", f"{d} 正被使用。")
        self._session_lock = lock
        self.session_dir = d
        return d

    @property
    def profile_dir(self) -> Path:
        if self.session_dir is None:
            raise CaptureError("The session has not started.", "取证会话尚未开始。")
        return self.session_dir / "browser"

    def _env_check(self, phase: str) -> None:
        check = self.options.env_check
        proxy = self.proxy
        if check is None or proxy is None:
            return
        seal_env_check(
            lambda: check(
                list(self.options.targets),
                proxy.disclosure,
                self.profile_dir,
                browser=self.browser_facts,
            ),
            phase,
            case=self.case,
            signer=self.signer,
            session=self.session_id,
            sealer=self.sealer,
            warn=self.warnings.append,
        )

    # -- failing closed -------------------------------------------------------------------

    def _fail(self, err: CaptureError) -> None:
        with self._lock:
            if self._error is not None or self._finished:
                return
            self._error = err
        logger.error("capture stopped: %s", err.message_en)
        if self.events is not None:
            self.events.failed.emit(err)  # queued to the GUI thread: _abort runs there
        else:
            self._say(err.message_en)

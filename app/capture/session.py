"""``CaptureSession``: one capture session — proxy, browser, recorder and sealer joined.

Life of a session (one per process, see ``browser``)::

    session = CaptureSession(inst, case, lead_signer, options=CaptureOptions(...))
    session.start()                       # no Qt yet: recovery, proxy, session.start, env check
    configure_chromium(session.browser_config)
    app = ensure_application()
    browser = session.open_browser()      # the workspace in a fresh profile
    session.attach(browser)               # proxy watch, actions, recorder
    session.start_recording(); session.screenshot(on_done); session.mark("…") …
    session.stop_capture()                # GUI thread, at once: recording stopped, page blanked
    summary = session.finish(signers)     # off the GUI thread: last video segment sealed, proxy
                                          # stopped, after-check, two signatures, last stamps

What ``start()`` seals, in order:

1. ``capture.recovered`` — what an earlier crash left in the case's work folder: WARC
   segments the proxy had open, closed segments that were never sealed, and video segments
   written but not sealed (``app.capture.leftovers``);
2. ``session.start`` — the method, the target, the browser profile folder and the tool
   qualification (REQUIREMENTS §A8): app name, version and build hash, OS, Python, Qt and
   Chromium, mitmproxy, and the proxy's disclosure with the hash of its addon code;
3. ``env.check`` (phase "before") — the clean-environment check, when configured.

While it runs: each traffic segment the proxy closes is sealed as ``capture.traffic``
(folder ``archive``, ``application/warc``) and indexed, so captures can name the server IP
and certificate of their page. With a ``TsaConfig`` (``tsa=``), every seal point's RFC 3161
token is asked for right after it is sealed (``forensics.stamping.BackgroundStamper``; the
network off the sealer, the token's entry written on it), not when the session closes.
If the proxy dies, or anything can no longer be sealed, the capture stops (the browser is
blanked and locked, the recording's open segment is sealed, the dead proxy's open segment
is recovered and sealed) and the officer is told; the session can still be closed by two
officers, and its ``session.end`` says why it ended early.
Nothing sealed is lost: every entry is final when it is written.

Only the session's browser may use the recording proxy (``forensics.capture.clientauth``):
it answers the proxy's challenge with the session's secret. When another program on the
computer tries the proxy it is refused (nothing of it is forwarded, recorded or sealed);
the officer is told at once, and ``session.end`` carries it as an environment finding
(``environment_findings``: how many attempts, the first few with client port, method,
host and time) and as a bilingual warning.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.capture.actions import ActionContext, CaptureResult, take_screenshot, take_snapshot
from app.capture.browser import BrowserConfig, SessionBrowser
from app.capture.fullpage import take_full_page
from app.capture.leftovers import PROXY_DIR, SESSION_DIR_PREFIX, Leftovers, sha256_file
from app.capture.live import StreamLog, live_facts
from app.capture.qualification import tool_qualification
from app.capture.recorder import ScreenRecorder, VideoSettings
from app.capture.sealer import Item, Sealer, describe
from app.capture.tasks import Outcome
from app.capture.traffic import TrafficIndex
from app.frozen import proxy_command
from app.installation import Installation
from forensics.canonical import format_time, utc_now
from forensics.capture.controller import RecordingProxy, SegmentInfo
from forensics.capture.warc import DEFAULT_SEGMENT_SECONDS, RunLock
from forensics.case import Case
from forensics.environment import Resolver
from forensics.errors import CaptureError, InputError, PolicyError, QuzhengError
from forensics.identity import Signer
from forensics.ledger import STAMPED_KINDS, Record
from forensics.stamping import BackgroundStamper, StampOutcome, TsaConfig, stamp_pending

logger = logging.getLogger(__name__)

KIND_LABELS: Final = {
    "session.start": ("session started", "取证会话开始"),
    "session.end": ("session closed", "取证会话结束"),
    "env.check": ("clean-environment check", "清洁性检查"),
    "capture.screenshot": ("screenshot", "截图"),
    "capture.fullpage": ("full page", "整页截图"),
    "capture.snapshot": ("page snapshot", "网页快照"),
    "capture.video": ("screen recording segment", "录像分段"),
    "capture.traffic": ("network traffic (WARC)", "网络流量（WARC）"),
    "capture.recovered": ("recovered after a crash", "崩溃后恢复"),
    "mark": ("mark", "标记"),
    "note": ("note", "备注"),
}

PROXY_REFUSED_EN: Final = (
    "another program on this computer tried to use the recording proxy; it was refused"
)
PROXY_REFUSED_ZH: Final = "本机另一程序试图使用取证代理，已被拒绝"


class EnvCheck(Protocol):
    """Makes one clean-environment snapshot (``forensics.environment.snapshot``)."""

    def __call__(
        self, targets: Sequence[str], disclosure: Mapping[str, object], profile_dir: Path
    ) -> Any: ...


def default_env_check(
    inst: Installation | Path, resolver: Resolver | None = None, timeout: float = 3.0
) -> EnvCheck:
    """The clean-environment check with the installation's NTP servers and echo services
    (``inst.env_servers()``), as ``quzheng env check`` runs it. The one assembly of that
    check for capture sessions (headless, GUI workspace). A bare data home is taken as
    its ``Installation``."""
    from forensics.environment import snapshot

    servers = (inst if isinstance(inst, Installation) else Installation(inst)).env_servers()
    ntp, echo = list(servers.ntp), list(servers.echo)

    def check(targets: Sequence[str], disclosure: Mapping[str, object], profile_dir: Path) -> Any:
        return snapshot(
            targets,
            ntp_servers=ntp,
            echo_urls=echo,
            browser_profile=profile_dir,
            proxy_disclosure=disclosure,
            resolver=resolver,
            timeout=timeout,
        )

    return check


@dataclass(frozen=True)
class CaptureOptions:
    targets: tuple[str, ...] = ()
    map_hosts: Mapping[str, str] = field(default_factory=dict)
    upstream_cas: tuple[Path, ...] = ()
    traffic_segment_seconds: float = DEFAULT_SEGMENT_SECONDS
    video: VideoSettings = field(default_factory=VideoSettings)
    # None: no clean-environment check (the session.start entry says so).
    env_check: EnvCheck | None = None
    ca_dir: Path | None = None  # the proxy CA (default: <home>/proxy-ca, per installation)
    method: str = ""
    # Start the screen recording as soon as the browser opens (REQUIREMENTS §A4: a
    # continuous recording of the extraction; mandatory for live streams).
    record_from_start: bool = False
    # How long a capture waits for the proxy to hand over the page's traffic.
    traffic_wait_seconds: float = 5.0
    proxy_startup_timeout: float = 30.0
    # The proxy's loopback port (0: any free port; see app.settings "proxy.port_range").
    proxy_port: int = 0


@dataclass
class SessionSummary:
    session: str
    records: list[Record]
    error: CaptureError | None
    stamps: StampOutcome | None
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.records if r.kind == kind)

    def lines(self, lang: str = "en") -> list[str]:
        zh = lang.startswith("zh")
        out = []
        for r in self.records:
            en, zh_label = KIND_LABELS.get(r.kind, (r.kind, r.kind))
            items = ", ".join(f"{i.path} ({i.size} B, sha256:{i.sha256[:16]}…)" for i in r.items)
            label = f"{zh_label} {r.kind}" if zh else f"{en} ({r.kind})"
            out.append(f"  #{r.seq} {label}" + (f"  {items}" if items else ""))
        if self.stamps is not None:
            s = self.stamps
            out.append(
                f"  时间戳：已获取 {len(s.stamped)} 个，排队 {s.pending} 个"
                if zh
                else f"  time-stamps: {len(s.stamped)} obtained, {s.pending} queued"
            )
        return out


class SessionEvents(QObject):
    """Signals for the GUI (emitted from any thread, delivered on the GUI thread).

    Create it on the GUI thread: ``on_failed`` then runs there too, whichever thread
    noticed the failure (a slot of this object gets a queued call across threads; a plain
    Python callable connected directly would run on the emitting thread).
    """

    failed = Signal(object)  # CaptureError: capture has stopped
    sealed = Signal(object)  # Record
    message = Signal(str)

    def __init__(self, on_failed: Callable[[object], None]) -> None:
        super().__init__()
        self._on_failed = on_failed
        self.failed.connect(self._failed)

    @Slot(object)
    def _failed(self, err: object) -> None:
        self._on_failed(err)


class CaptureSession:
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
        self.browser: SessionBrowser | None = None
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

    # -- start (before Qt) ----------------------------------------------------------------

    def start(self) -> str:
        """Recover leftovers, start the proxy, seal ``session.start`` and the before-check.

        Raises ``CaptureError`` (and leaves nothing running) if the proxy cannot start.
        """
        if self.session_id is not None:
            raise CaptureError("The session was already started.", "取证会话已开始。")
        if self.case.received:
            raise PolicyError(
                "this is a received case: nothing can be captured into it",
                "本案为接收的案件，不能再取证",
            )
        self.case.require_member(self.signer)
        try:
            self.proxy_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CaptureError(
                f"Cannot create the capture work folder {self.proxy_dir}: {exc}",
                f"无法创建取证工作目录 {self.proxy_dir}：{exc}",
            ) from exc
        if self.tsa is not None and self.stamper is None:
            self.stamper = BackgroundStamper(
                self.case, self.signer, self.tsa, write=self._write_on_sealer
            )
            self.stamper.poke()  # what earlier work left in the queue
        try:
            self.leftovers.seal_earlier_runs()
        except BaseException:
            self._close_writers()
            raise
        options = self.options
        info = self.signer.officer.profile
        proxy = RecordingProxy(
            self.proxy_dir,
            options.ca_dir or self.inst.home / "proxy-ca",
            map_hosts=dict(options.map_hosts),
            upstream_cas=list(options.upstream_cas),
            segment_seconds=options.traffic_segment_seconds,
            operator=f"{info.name} ({info.badge})",
            on_segment=self._on_segment,
            on_error=self._on_proxy_error,
            on_refused=self._on_proxy_refused,
            startup_timeout=options.proxy_startup_timeout,
            command=proxy_command(),  # a frozen build runs the proxy through itself
            listen_port=options.proxy_port,
        )
        try:
            proxy.start()  # CaptureError when it cannot
        except BaseException:
            self._close_writers()
            raise
        self.proxy = proxy
        try:
            disclosure = proxy.disclosure
            session_dir = self._new_session_dir()
            # The browser's profile folder exists, empty, before the check looks at it.
            (session_dir / "browser").mkdir(mode=0o700)
            data = self._start_data(disclosure, session_dir / "browser")
            opened = self.case.open_session(self.signer, data)
            self.session_id = str(opened.session)
            self.sealer.session = self.session_id
            self.sealer.records.append(opened)
            self._watcher = threading.Thread(
                target=self._watch_proxy, name="proxy-watch", daemon=True
            )
            self._watcher.start()
            self._env_check("before")
        except BaseException:
            self.abandon()
            raise
        return self.session_id

    # -- time-stamps ----------------------------------------------------------------------

    def _record_sealed(self, record: Record) -> None:
        """Sealer thread, after every entry: a seal point asks for its token now."""
        if record.kind in STAMPED_KINDS and self.stamper is not None:
            self.stamper.poke()

    def _write_on_sealer(self, job: Callable[[], bool]) -> bool:
        """The stamper's writes (token entries, the queue) go through the one writer."""
        return self.sealer.submit(job).result()

    def _close_writers(self, timeout: float = 60.0) -> StampOutcome | None:
        """Last time-stamp attempt (through the sealer), then stop the sealer."""
        stamps = None
        if self.stamper is not None:
            stamps = self.stamper.close(timeout)
        self.sealer.close(timeout)
        return stamps

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

    def _start_data(self, disclosure: Mapping[str, object], profile_dir: Path) -> dict[str, Any]:
        opts = self.options
        upstream = []
        for path in opts.upstream_cas:
            with contextlib.suppress(OSError):
                upstream.append({"file": path.name, "sha256": sha256_file(path)})
        return {
            "method": opts.method
            or "built-in browser (Qt WebEngine, fresh profile) through the recording proxy "
            "(mitmproxy, WARC 1.1); screenshots, full pages, snapshots and screen recording "
            "of the workspace sealed as captured",
            "targets": list(opts.targets),
            "tool": tool_qualification(dict(disclosure)),
            "proxy": dict(disclosure),
            "browser_profile": str(profile_dir),
            "browser_profile_fresh": True,
            "host_mapping": dict(opts.map_hosts),
            "upstream_trust_extra": upstream,
            "video": {
                "fps": opts.video.fps,
                "segment_seconds": int(opts.video.segment_seconds),
                "preset": opts.video.preset,
                "crf": opts.video.crf,
            },
            "traffic_segment_seconds": int(opts.traffic_segment_seconds),
            "environment_check": opts.env_check is not None,
        }

    def _env_check(self, phase: str) -> None:
        check = self.options.env_check
        if check is None or self.proxy is None:
            return
        try:
            from forensics.environment import seal_snapshot
        except ImportError:  # the clean-environment check is not installed in this build
            self.warnings.append("clean-environment check not available")
            return
        snap = check(list(self.options.targets), self.proxy.disclosure, self.profile_dir)
        self.sealer.submit(
            lambda: seal_snapshot(
                self.case, self.signer, snap, phase=phase, session=self.session_id
            )
        ).result()

    # -- traffic (proxy reader thread) ----------------------------------------------------

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
        """Proxy reader thread: another client was turned away. Told once, live."""
        if detail.get("n") == 1:
            self._say(f"{PROXY_REFUSED_ZH} / {PROXY_REFUSED_EN}")

    def _proxy_findings(self) -> list[dict[str, Any]]:
        """``session.end``'s environment findings about the proxy (empty when none)."""
        proxy = self.proxy
        if proxy is None or not proxy.refused_count:
            return []
        count = proxy.refused_count
        return [
            {
                "kind": "proxy-client-refused",
                "count": count,
                "first": proxy.refusals,
                "en": f"{PROXY_REFUSED_EN} ({count} attempt(s))",
                "zh": f"{PROXY_REFUSED_ZH}（{count} 次）",
            }
        ]

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

    def _abort(self, err: object) -> None:
        """GUI thread: stop everything that could go on unrecorded, keep what was sealed."""
        if self.browser is not None and not self.browser.shut_down:
            self._steps = self.browser.navlog.steps_copy()
            self.browser.set_enabled_for_capture(False)
        if self.recorder is not None and self.recorder.state in ("recording", "paused"):
            self.recorder.request_stop()  # finish() waits for its last segment's seal
        self._say(
            (err.message_zh + " / " + err.message_en) if isinstance(err, QuzhengError) else str(err)
        )

    # -- Qt part --------------------------------------------------------------------------

    def open_browser(self) -> SessionBrowser:
        """The workspace in a fresh profile (after ``configure_chromium`` and the app)."""
        if self.session_id is None:
            raise CaptureError("The session has not started.", "取证会话尚未开始。")
        browser = SessionBrowser(
            self.profile_dir,
            profile_name=f"quzheng-{self.session_id}",
            now=self._now,
            config=self.browser_config,
        )
        if not browser.proxy_primed:
            # Capture still works (the browser answers when asked), but its first request
            # will be challenged and may show as a refused client.
            self.warnings.append("the browser could not authenticate with the proxy in advance")
        self.attach(browser)
        if self.options.record_from_start:
            # After the caller has sized and shown the workspace (same event-loop turn).
            QTimer.singleShot(0, self._record_from_start)
        return browser

    def _record_from_start(self) -> None:
        try:
            self.start_recording()
        except QuzhengError as exc:
            self._fail(describe(exc))

    def attach(self, browser: SessionBrowser) -> None:
        self.browser = browser
        self._target = self.case.target()
        self._streams = browser.navlog.streams  # kept: the last segment closes after shutdown
        self.events = SessionEvents(self._abort)
        err = self.error
        if err is not None:  # failed before the GUI was there
            self.events.failed.emit(err)

    def action_context(self) -> ActionContext:
        """What the capture actions need (``actions.take_*``; the GUI may adjust it)."""
        if self.browser is None:
            raise CaptureError("The session has no browser.", "取证会话没有浏览器。")

        def sealed(record: Record) -> None:
            if self.events is not None:
                self.events.sealed.emit(record)

        return ActionContext(
            browser=self.browser,
            sealer=self.sealer,
            work_dir=(self.session_dir or self.work) / "tmp",
            server_info=self.server_info,
            check_alive=self.check_alive,
            logged_in_account=lambda: self.logged_in_account,
            now=self._now,
            live_target=self._target,
            on_sealed=sealed,
        )

    def live_info(self, url: str) -> dict[str, Any] | None:
        """Any thread: the live-stream block for a page URL (``app.capture.live``)."""
        return live_facts(self._target, url, self._streams.urls())

    def server_info(self, url: str) -> dict[str, Any]:
        """Off the GUI thread: close the open traffic segment, wait for it to be sealed and
        indexed, then answer from the index."""
        proxy = self.proxy
        before = len(self.index.segments)
        # Traffic since the last closed segment means the roll will close a new one: wait
        # for it, so the traffic behind a picture is sealed before the picture is.
        browser = self.browser
        fresh = browser is not None and browser.navlog.last_request > self._last_segment_at
        if proxy is not None and proxy.running:
            proxy.roll()
            wait = self.options.traffic_wait_seconds
            if fresh:
                self.index.wait_for(lambda: len(self.index.segments) > before, wait)
            self.index.wait_for(lambda: self.index.has_response(url), wait)
        return self.index.server_info(url)

    def screenshot(self, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
        take_screenshot(self.action_context(), on_done)

    def full_page(self, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
        take_full_page(self.action_context(), on_done)

    def snapshot(self, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
        take_snapshot(self.action_context(), on_done)

    def set_logged_in_account(self, account: str | None) -> Future[Record]:
        """The officer says which account the browser is logged in with (sealed as a note)."""
        self.logged_in_account = account.strip() if account and account.strip() else None
        text = (
            f"已登录账号 / logged-in account: {self.logged_in_account}"
            if self.logged_in_account
            else "未使用登录账号 / no logged-in account"
        )
        return self.sealer.append(
            "note", {"text": text, "event": "account", "account": self.logged_in_account}
        )

    # -- recording ------------------------------------------------------------------------

    def start_recording(self) -> ScreenRecorder:
        self.check_alive()
        if self.browser is None or self.session_dir is None:
            raise CaptureError("The session has no browser.", "取证会话没有浏览器。")
        if self.recorder is not None and self.recorder.state != "stopped":
            raise CaptureError("The screen is already being recorded.", "已在录像。")
        recorder = ScreenRecorder(
            self.browser,
            self.session_dir / "video",
            self.sealer,
            case_number=self.case_number,
            settings=self.options.video,
            now=self._now,
            page_info=self._page_info,
            live_info=self.live_info,
        )
        recorder.failed.connect(self._recorder_failed)
        recorder.segment_sealed.connect(self._video_sealed)
        self.recorder = recorder
        recorder.start()
        return recorder

    def _page_info(self) -> tuple[str, str]:
        browser = self.browser
        if browser is None or browser.shut_down:
            return "", ""
        return browser.page.url().toString(), browser.page.title()

    def _video_sealed(self, item: object) -> None:
        if self.events is not None and isinstance(item, tuple):
            self.events.sealed.emit(item[1])

    def _recorder_failed(self, err: object) -> None:
        self._fail(err if isinstance(err, CaptureError) else describe(Exception(str(err))))

    def mark(self, note: str = "") -> Future[Record]:
        """A ``mark`` at this moment of the recording; the traffic up to it is sealed now."""
        self.check_alive()
        if self.recorder is None or not self.recorder.recording:
            raise CaptureError("The screen is not being recorded.", "当前没有在录像。")
        future = self.recorder.mark(note)
        if self.proxy is not None:
            self.proxy.roll()
        return future

    def pause_recording(self, reason: str) -> Future[Record]:
        """Pause the recording; the typed reason is sealed as a ``note``."""
        if self.recorder is None:
            raise CaptureError("The screen is not being recorded.", "当前没有在录像。")
        return self.recorder.pause(reason)

    def resume_recording(self, note: str = "") -> Future[Record]:
        self.check_alive()
        if self.recorder is None:
            raise CaptureError("The screen is not being recorded.", "当前没有在录像。")
        return self.recorder.resume(note)

    # -- end ------------------------------------------------------------------------------

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
        findings = self._proxy_findings()
        for finding in findings:
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

    def abandon(self) -> None:
        """Stop the proxy and the sealer without closing the session (an unrecoverable
        start-up error in the caller). The open session is visible in the ledger."""
        self._stopping = True
        if self.recorder is not None and self.recorder.state in ("recording", "paused"):
            with contextlib.suppress(QuzhengError):
                self.recorder.stop()
        if self.proxy is not None:
            self.proxy.stop()
        with contextlib.suppress(Exception):
            self.sealer.drain(60)
        self._close_writers()
        if self._session_lock is not None:
            self._session_lock.release()
            self._session_lock = None


def validate_signers(
    case: Case, signers: Sequence[Signer], *, training_single: bool = False
) -> None:
    """Refuse before capture what ``end_session`` would refuse after it."""
    case.require_member(*signers)
    distinct = {s.officer.key_fp for s in signers}
    if len(distinct) < 2 and not (training_single and case.training and distinct):
        raise PolicyError(
            "a capture session is closed by at least two officers; name both (--officer twice)",
            "取证会话须由至少两名执法人员签名结束，请指明两名执法人员",
        )
    if not signers:
        raise InputError("no officer given", "未指定执法人员")

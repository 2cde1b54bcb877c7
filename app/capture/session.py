"""``CaptureSession``: one capture session — proxy, browser, recorder and sealer joined.

Life of a session (one per process)::

    session = CaptureSession(inst, case, lead_signer, options=CaptureOptions(...))
    session.start()                       # no Qt yet: recovery, proxy, the browser chosen
                                          # (app.capture.engines), session.start, env check
    configure_chromium(session.browser_config)   # only the Qt WebEngine fallback reads it
    app = ensure_application()
    browser = session.open_browser()      # Chromium over CDP (or the fallback), fresh profile;
                                          # with the private sound sink when there is one
    session.attach(browser)               # proxy watch, media watch, actions, recorder
    session.start_recording(); session.screenshot(on_done); session.mark("…") …
    session.stop_capture()                # GUI thread, at once: recording stopped, page blanked
    summary = session.finish(signers)     # off the GUI thread: last video segment sealed, proxy
                                          # stopped, after-check, two signatures, last stamps

What ``start()`` seals, in order:

1. ``capture.recovered`` — what an earlier crash left in the case's work folder: WARC
   segments the proxy had open, closed segments that were never sealed, and video segments
   written but not sealed (``app.capture.leftovers``);
2. ``session.start`` — the method, the target, the capture browser (engine, program,
   version, the program file's SHA-256, its fresh profile, no extensions), the recording's
   sound, and the tool qualification (REQUIREMENTS §A8): app name, version and build hash,
   OS, Python, Qt, mitmproxy, and the proxy's disclosure with the hash of its addon code
   (``app.capture.start_record``);
3. ``env.check`` (phase "before") — the clean-environment check, when configured
   (``app.capture.envcheck``).

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
Only the session's browser may use the recording proxy; another program that tries it is
refused, the officer is told, and ``session.end`` carries it as an environment finding
(``app.capture.proxy_watch``).

This module holds the start, the Qt part (browser, capture actions) and the recording. The
rest of the class is in its bases: ``app.capture.session_state`` (the state, the writers,
the work folder, failing closed), ``app.capture.proxy_watch`` (the proxy's reader-thread
side) and ``app.capture.close`` (``stop_capture``, ``finish``, ``abandon``). What a session
is given and gives back: ``app.capture.options`` (``CaptureOptions``, ``validate_signers``),
``app.capture.events`` (``SessionEvents``) and ``app.capture.summary`` (``SessionSummary``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QTimer

from app.capture import actions as qt_actions
from app.capture.actions import ActionContext, CaptureResult
from app.capture.browser import SessionBrowser
from app.capture.chromium import actions as chromium_actions
from app.capture.chromium.browser import ChromiumBrowser
from app.capture.chromium.media_watch import MediaWatch
from app.capture.close import SessionClose
from app.capture.engines import CaptureBrowser, choose_browser
from app.capture.events import SessionEvents
from app.capture.fullpage import take_full_page
from app.capture.live import live_facts
from app.capture.proxy_watch import ProxyWatch
from app.capture.recorder import ScreenRecorder
from app.capture.sealer import describe
from app.capture.sound import SoundPlan, open_sound, sound_backend
from app.capture.start_record import start_data
from app.capture.tasks import Outcome
from app.frozen import proxy_command
from forensics.capture.controller import RecordingProxy
from forensics.entry_data import AccountNote, MediaNote
from forensics.errors import CaptureError, PolicyError, QuzhengError
from forensics.ledger import Record
from forensics.stamping import BackgroundStamper


class CaptureSession(ProxyWatch, SessionClose):
    """One capture session (see the module's docstring); its state and plumbing are in
    ``SessionState``, the proxy's side in ``ProxyWatch``, its end in ``SessionClose``."""

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
            self.browser_install = choose_browser(
                options.browser, options.browser_path, self._fallback_warning
            )
            self.sound_plan = (
                sound_backend()
                if self.browser_install is not None and options.sound
                else SoundPlan(
                    None,
                    "no sound: " + ("not asked for" if not options.sound else "fallback browser"),
                    "无声音：" + ("未要求录制声音" if not options.sound else "备用浏览器"),
                )
            )
            disclosure = proxy.disclosure
            session_dir = self._new_session_dir()
            # The browser's profile folder exists, empty, before the check looks at it.
            (session_dir / "browser").mkdir(mode=0o700)
            start = replace(
                start_data(self.options, disclosure, session_dir / "browser", self.browser_install),
                sound=self.sound_plan.record(),
            )
            self.browser_facts = dict(start.browser)
            opened = self.case.open_session(self.signer, start)
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

    def browser_description(self, lang: str = "en") -> str:
        """One line for the officer: which browser captures, and whether with sound."""
        zh = lang.startswith("zh")
        install = self.browser_install
        if install is None:
            return (
                "内置备用浏览器（Qt WebEngine；不能播放 H.264/AAC）"
                if zh
                else "built-in fallback browser (Qt WebEngine; cannot play H.264/AAC)"
            )
        plan = self.sound_plan
        if plan.backend and self.sound is None:
            sound = "无（声音服务未能启动）" if zh else "none (the sound server did not start)"
        else:
            sound = plan.what_zh if zh else plan.what_en
        return f"{install.product} {install.version or ''} ({install.path}); " + (
            f"声音：{sound}" if zh else f"sound: {sound}"
        )

    def _fallback_warning(self, en: str, zh: str) -> None:
        self.warnings.append(en)
        self._say(f"{zh} / {en}")

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

    def open_browser(self) -> CaptureBrowser:
        """The session's browser in a fresh profile: the Chromium-family browser chosen at
        start, or the Qt WebEngine fallback (after ``configure_chromium`` and the app)."""
        if self.session_id is None:
            raise CaptureError("The session has not started.", "取证会话尚未开始。")
        browser: CaptureBrowser
        if self.browser_install is not None:
            config = self.browser_config
            if self.sound_plan.backend is not None and self.sound is None:
                try:
                    self.sound = open_sound(self.sound_plan)
                except QuzhengError as exc:  # the picture is still the evidence it was
                    self._fallback_warning(
                        f"the browser's sound cannot be recorded: {exc.message_en}",
                        f"无法录制浏览器声音：{exc.message_zh}",
                    )
            browser = ChromiumBrowser(
                self.profile_dir,
                self.browser_install,
                proxy_url=config.proxy_url,
                ca_spki_sha256_b64=config.ca_spki_sha256_b64,
                proxy_user=config.proxy_user,
                proxy_secret=config.proxy_secret,
                headless=self.options.headless,
                window=self.options.window,
                now=self._now,
                sound_env=self.sound.browser_env() if self.sound is not None else {},
            )
        else:
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

    def attach(self, browser: CaptureBrowser) -> None:
        self.browser = browser
        self._target = self.case.target()
        self._streams = browser.navlog.streams  # kept: the last segment closes after shutdown
        self.events = SessionEvents(self._abort)
        err = self.error
        if err is not None:  # failed before the GUI was there
            self.events.failed.emit(err)
        if isinstance(browser, ChromiumBrowser):  # media the browser cannot play (#17)

            def unplayable(finding: dict[str, Any]) -> None:  # engine thread
                text = f"{finding['zh']} / {finding['en']}"
                self.sealer.append("note", MediaNote(text, finding).to_json())
                self.warnings.append(finding["en"])
                self._say(text)

            MediaWatch(unplayable, page_url=browser.page_url).start(browser.engine)

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
            recording=lambda: self.recorder is not None and self.recorder.recording,
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
        if isinstance(self.browser, ChromiumBrowser):
            chromium_actions.take_screenshot(self.action_context(), on_done)
        else:
            qt_actions.take_screenshot(self.action_context(), on_done)

    def full_page(self, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
        if isinstance(self.browser, ChromiumBrowser):
            chromium_actions.take_full_page(self.action_context(), on_done)
        else:
            take_full_page(self.action_context(), on_done)

    def snapshot(self, on_done: Callable[[Outcome[CaptureResult]], None]) -> None:
        if isinstance(self.browser, ChromiumBrowser):
            chromium_actions.take_snapshot(self.action_context(), on_done)
        else:
            qt_actions.take_snapshot(self.action_context(), on_done)

    def set_logged_in_account(self, account: str | None) -> Future[Record]:
        """The officer says which account the browser is logged in with (sealed as a note)."""
        self.logged_in_account = account.strip() if account and account.strip() else None
        text = (
            f"已登录账号 / logged-in account: {self.logged_in_account}"
            if self.logged_in_account
            else "未使用登录账号 / no logged-in account"
        )
        return self.sealer.append("note", AccountNote(self.logged_in_account, text).to_json())

    # -- recording ------------------------------------------------------------------------

    def start_recording(self) -> ScreenRecorder:
        self.check_alive()
        if self.browser is None or self.session_dir is None:
            raise CaptureError("The session has no browser.", "取证会话没有浏览器。")
        if self.recorder is not None and self.recorder.state != "stopped":
            raise CaptureError("The screen is already being recorded.", "已在录像。")
        browser = self.browser
        if isinstance(browser, ChromiumBrowser):
            browser.start_frames()  # the page's screencast; the recorder takes the newest
        recorder = ScreenRecorder(
            browser.grab_frame if isinstance(browser, ChromiumBrowser) else browser,
            self.session_dir / "video",
            self.sealer,
            case_number=self.case_number,
            settings=self.options.video,
            now=self._now,
            page_info=self._page_info,
            live_info=self.live_info,
            burn_url=isinstance(browser, ChromiumBrowser),
            sound=self.sound if isinstance(browser, ChromiumBrowser) else None,
            sound_plan=self.sound_plan,
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
        return browser.page_url(), browser.page_title()

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

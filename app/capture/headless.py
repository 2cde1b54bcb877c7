"""``quzheng capture URL --case ID``: a whole capture session without a display.

``run_capture`` starts the recording proxy, then (its port and CA now known) the offscreen
Qt application and the session browser, records the workspace if asked, loads the URL,
takes the captures, keeps recording for the requested time (placing the marks), and closes
the session with the officers' signatures. Each seal point's time-stamp is asked for as
soon as it is sealed (the session's stamper), not when the session closes. It prints what
was sealed and returns 0. It creates a ``QApplication``, so it runs once per process.

Failures raise ``QuzhengError`` (the CLI prints one line, exit 2) — but only after the
session was closed: whatever was sealed before the failure stays sealed and signed, and
``session.end`` says why capture stopped.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.i18n import cli_lang, t
from app.installation import Installation
from forensics.errors import CaptureError, InputError
from forensics.identity import Signer
from forensics.ledger import Record
from forensics.stamping import TsaConfig

if TYPE_CHECKING:
    from app.capture.options import CaptureOptions
    from app.capture.session import CaptureSession

DEFAULT_SIZE = (1280, 800)
LOAD_TIMEOUT_S = 60.0
ACTION_TIMEOUT_S = 180.0
SETTLE_S = 1.0


def practice_range_mapping(range_dir: Path, port: int) -> tuple[dict[str, str], list[Path]]:
    """``map_hosts`` and ``upstream_cas`` for a practice range on 127.0.0.1:``port`` whose
    data folder is ``range_dir`` (``quzheng range serve`` uses ``<data home>/range``)."""
    from forensics.range import DOMAIN
    from forensics.range.tls import CA_CERT_NAME

    ca = range_dir / "tls" / CA_CERT_NAME
    if not ca.is_file():
        raise InputError(
            f"no practice-range CA at {ca}: start the range first (quzheng range serve)",
            f"{ca} 处没有靶场根证书：请先启动靶场（quzheng range serve）",
        )
    if not 0 < port < 65536:
        raise InputError(f"bad range port {port}", f"靶场端口无效：{port}")
    return {DOMAIN: f"127.0.0.1:{port}"}, [ca]


def _wait_until(predicate: Callable[[], bool], timeout_s: float, step_ms: int = 20) -> bool:
    """Run the event loop until ``predicate()`` holds (headless top level only)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(step_ms, loop.quit)
        loop.exec()
    return True


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"the capture URL must be an http(s) address, not {url!r}",
            f"取证网址必须是 http(s) 地址，而不是 {url!r}",
        )


def run_capture(
    inst: Installation,
    case_ref: str,
    url: str,
    *,
    signers: list[Signer],
    full_page: bool,
    snapshot: bool,
    video_seconds: int,
    map_hosts: dict[str, str] | None = None,
    upstream_cas: list[Path] | None = None,
    tsa: TsaConfig | None = None,
    marks: Sequence[tuple[float, str]] = (),
    out: Callable[[str], None] = print,
    lang: str | None = None,
    env_check: bool = True,
    size: tuple[int, int] = DEFAULT_SIZE,
    options: CaptureOptions | None = None,
) -> int:
    """One headless capture session. See the module docstring.

    ``signers``: the officers present (at least two; the first seals as the session lead).
    ``marks``: (seconds into the recording, note). ``options``: a ``CaptureOptions`` that
    replaces the defaults built from the arguments and settings (tests, the demo).
    """
    _check_url(url)
    if video_seconds < 0:
        raise InputError("--video needs a number of seconds ≥ 0", "--video 需要不小于 0 的秒数")
    for at, _note in marks:
        if not 0 <= at <= max(0, video_seconds):
            raise InputError(
                f"a mark at {at} s is outside the recording (0–{video_seconds} s)",
                f"标记时间 {at} 秒超出录像范围（0–{video_seconds} 秒）",
            )
    if not signers:
        raise InputError(
            "name the officers present (at least two)", "请指明在场的执法人员（至少两名）"
        )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.capture.browser import configure_chromium, ensure_application, quiet_qt_messages
    from app.capture.envcheck import default_env_check
    from app.capture.options import CaptureOptions, validate_signers
    from app.capture.recorder import VideoSettings
    from app.capture.session import CaptureSession

    say = out
    lang = lang or cli_lang()
    tsa = tsa if tsa is not None else inst.tsa_config()
    with inst.open_case(case_ref) as case:
        validate_signers(case, signers)
        if options is None:
            segment = int(inst.setting("video.segment_seconds"))
            options = CaptureOptions(
                targets=(url,),
                map_hosts=dict(map_hosts or {}),
                upstream_cas=tuple(upstream_cas or ()),
                video=VideoSettings(segment_seconds=float(segment)),
                env_check=default_env_check(inst) if env_check else None,
                proxy_port=inst.proxy_port(),
                browser=inst.browser_choice()[0],
                browser_path=inst.browser_choice()[1],
                window=size,
            )
        say(t("Starting the recording proxy…", "正在启动取证代理……", lang))
        session = CaptureSession(inst, case, signers[0], options=options, out=say, tsa=tsa)
        session.start()
        results: list[str] = []
        failure: BaseException | None = None
        browser = None
        try:
            configure_chromium(session.browser_config)
            quiet_qt_messages()
            ensure_application()
            browser = session.open_browser()
            browser.resize(*size)
            browser.show()
            say(t("Capture browser: ", "取证浏览器：", lang) + session.browser_description(lang))
            _capture(session, url, full_page, snapshot, video_seconds, marks, results, lang, say)
        except Exception as exc:  # close the session first (two signatures), then report
            failure = exc
        finally:
            # A KeyboardInterrupt lands here too: the session is still closed and signed.
            session.stop_capture()
            if browser is not None:
                browser.shutdown()
            summary = session.finish(signers, tsa=tsa, failure=failure)
        say(
            t(
                f"Session {summary.session} closed by {len(signers)} officers; sealed:",
                f"取证会话 {summary.session} 已由 {len(signers)} 名执法人员签名结束；已封存：",
                lang,
            )
        )
        for line in summary.lines(lang):
            say(line)
        if summary.stamps is not None and summary.stamps.pending:
            reason = t(summary.stamps.reason_en, summary.stamps.reason_zh, lang)
            print(
                t(
                    f"quzheng: {summary.stamps.pending} seal point(s) queued for a time-stamp: {reason}",
                    f"quzheng：{summary.stamps.pending} 个封存点等待时间戳：{reason}",
                    lang,
                ),
                file=sys.stderr,
            )
        error = summary.error or failure
        if error is not None:
            if isinstance(error, CaptureError) or not isinstance(error, Exception):
                raise error
            raise CaptureError(f"Capture failed: {error}", f"取证失败：{error}") from error
    return 0


def _capture(
    session: CaptureSession,
    url: str,
    full_page: bool,
    snapshot: bool,
    video_seconds: int,
    marks: Sequence[tuple[float, str]],
    results: list[str],
    lang: str | None,
    say: Callable[[str], None],
) -> None:
    from PySide6.QtCore import QTimer

    from app.capture.tasks import Outcome

    def act(name: str, start: Callable[[Callable[[Outcome[Any]], None]], None]) -> None:
        box: list[Outcome[Any]] = []
        start(box.append)
        if not _wait_until(lambda: bool(box) or session.error is not None, ACTION_TIMEOUT_S):
            raise CaptureError(f"The {name} did not finish in time.", f"{name} 未能按时完成。")
        if not box:
            session.check_alive()  # raises the session's error
            raise CaptureError(f"The {name} was interrupted.", f"{name} 被中断。")
        result = box[0].unwrap()
        results.append(result.summary(lang or cli_lang()))
        say(result.summary(lang or cli_lang()))

    recorder = None
    mark_errors: list[BaseException] = []
    if video_seconds > 0:
        recorder = session.start_recording()
        for at, note in marks:

            def place(note: str = note) -> None:
                if session.error is None and recorder.recording:
                    session.mark(note).add_done_callback(check)

            def check(future: Future[Record]) -> None:
                exc = future.exception()
                if exc is not None:
                    mark_errors.append(exc)

            QTimer.singleShot(int(at * 1000), place)
        say(
            t(
                f"Recording the screen for {video_seconds} s…",
                f"正在录像 {video_seconds} 秒……",
                lang,
            )
        )
    browser = session.browser
    if browser is None:
        raise CaptureError("The session has no browser.", "取证会话没有浏览器。")
    loaded: list[bool] = []
    browser.loaded.connect(loaded.append)
    browser.navigate(url)
    if not _wait_until(lambda: bool(loaded) or session.error is not None, LOAD_TIMEOUT_S):
        raise CaptureError(
            f"{url} did not load in {LOAD_TIMEOUT_S:.0f} s.", f"{url} 未能在规定时间内加载。"
        )
    session.check_alive()
    if not loaded[-1]:
        raise CaptureError(f"{url} could not be loaded.", f"无法加载 {url}。")
    _wait_until(lambda: False, SETTLE_S)  # let the page paint what it loaded
    act(t("screenshot", "截图", lang), session.screenshot)
    if full_page:
        act(t("full-page capture", "整页截图", lang), session.full_page)
    if snapshot:
        act(t("page snapshot", "网页快照", lang), session.snapshot)
    if recorder is not None:
        _wait_until(
            lambda: (
                session.error is not None
                or recorder.error is not None
                or recorder.elapsed_us() >= video_seconds * 1_000_000
            ),
            video_seconds + 60,
        )
    session.check_alive()
    if mark_errors:
        raise mark_errors[0]

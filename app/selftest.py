"""``quzheng --selftest``: prove that this installation works, from end to end, offline.

It is written for the frozen (PyInstaller) build above all — a missing font, a library the
bundler left out, a Chromium helper that cannot start show up here and not in front of an
officer — and runs the same from a source checkout (``python -m app.selftest``).

Everything happens in a temporary data home that is deleted afterwards, and nothing leaves
the machine: the practice range, the recording proxy and the time-stamp authority all
listen on 127.0.0.1 only, and the browser may reach nothing but the range through the proxy
(the self-test fails if the recording shows any other host). The steps, printed as they run
in Chinese and English:

1. every module of ``forensics``, ``app`` and ``ui`` imports (nothing left out of a build);
2. the app's resources are where the code looks for them (fonts, exercises, range files)
   and the interface translations load;
3. two officers and an agency CA in a fresh data home;
4. a case with every field the report requires; a session; one file sealed;
5. the practice range starts (TLS, its own CA);
6. the recording proxy starts as a real child process (``app.frozen.proxy_command()``);
7. the capture browser — the computer's Chromium-family browser over CDP (Playwright's
   driver, bundled), headless; or the Qt WebEngine fallback when there is none — loads a
   range page through the proxy; its title is checked and the page is drawn;
8. the proxy stops; its WARC segment holds the page and its style sheet and is sealed;
9. the session is closed with both officers' signatures;
10. the built-in TSA starts, time-stamps every seal point, and stops;
11. the case verifies (signatures, hash chain, files, time-stamps);
12. the report (电子数据提取笔录) renders as PDF with the embedded font;
13. the case is exported as an encrypted package, and the package verifies.

The first failure stops the run; its step is named and the exit status is 1. Success is 0.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from app.frozen import is_frozen, proxy_command

if TYPE_CHECKING:
    from app.installation import Installation
    from forensics.capture.controller import RecordingProxy, SegmentInfo
    from forensics.case import Case
    from forensics.identity import Signer
    from forensics.range import RangeServer
    from forensics.timestamp import TsaServer

PAGE_LOAD_TIMEOUT_S: Final = 90.0  # a cold Chromium start on a busy 2-core machine
PAINT_TIMEOUT_S: Final = 20.0
RANGE_PAGE: Final = "/licence"  # a small page that also fetches the range's style sheet
RANGE_STYLE: Final = "/static/range.css"
AGENCY: Final = "示例市市场监督管理局（自检）"
SHOP_URL: Final = "https://shop.range.test/"
# What the self-test's session.start says of its method (it captures nothing for a case).
METHOD: Final = (
    "installation self-test (quzheng --selftest): a practice-range page loaded through the "
    "recording proxy on 127.0.0.1 in the capture browser; not evidence"
)
PACKAGES: Final = ("forensics", "app", "ui")


class SelfTestFailure(Exception):
    """A check did not hold. The message says what was expected and what was found."""


@dataclass
class _Run:
    """What the steps share. Whatever is started here is stopped in ``_cleanup``."""

    root: Path
    out: TextIO
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    inst: Installation | None = None  # the temporary data home's, built once
    lead: Signer | None = None
    second: Signer | None = None
    case: Case | None = None
    session: str = ""
    range_server: RangeServer | None = None
    proxy: RecordingProxy | None = None
    segments: list[SegmentInfo] = field(default_factory=list)
    page_url: str = ""
    qt_objects: list[Any] = field(default_factory=list)
    engines: list[Any] = field(default_factory=list)  # capture browsers (ChromiumEngine)
    tsa: TsaServer | None = None

    @property
    def home(self) -> Path:
        return self.root / "home"

    def need[T](self, value: T | None, what: str) -> T:
        if value is None:
            raise SelfTestFailure(f"internal: {what} is missing (an earlier step did not run)")
        return value

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


# -- the steps ---------------------------------------------------------------------------------


def _step_modules(run: _Run) -> str:
    """Import every module of the program: a module or library the bundler left out (they
    are found by following imports, and some are imported only by name) shows up here."""
    import importlib
    import pkgutil

    failures: list[str] = []
    count = 0
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, name + ".", failures.append):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue
            try:
                importlib.import_module(info.name)
            except Exception as exc:
                failures.append(f"{info.name} ({type(exc).__name__}: {exc})")
            else:
                count += 1
    if failures:
        raise SelfTestFailure("cannot import: " + "; ".join(failures))
    return f"{count} modules of {', '.join(PACKAGES)}"


def _step_resources(run: _Run) -> str:
    from forensics.range.server import STATIC_DIR
    from forensics.report.fonts import FONT_DIR, register_fonts
    from forensics.training.exercise import EXERCISES_DIR, list_exercises

    missing = [
        str(p)
        for p in (
            FONT_DIR / "QuzhengSans-Regular.ttf",
            FONT_DIR / "RobotoCondensed-Regular.ttf",
            STATIC_DIR / "range.css",
            STATIC_DIR / "shop.js",
            STATIC_DIR / "live.js",
        )
        if not p.is_file()
    ]
    if missing:
        raise SelfTestFailure("resource files not found: " + ", ".join(missing))
    coverage = register_fonts()
    if ord("证") not in coverage:
        raise SelfTestFailure(f"the report font in {FONT_DIR} cannot draw Chinese")
    exercises = list_exercises()
    if not exercises:
        raise SelfTestFailure(f"no exercises in {EXERCISES_DIR}")
    translations = _check_translations(FONT_DIR.parent / "i18n")
    return f"{FONT_DIR.parent}; {len(exercises)} exercises; translations: {translations}"


def _check_translations(i18n: Path) -> str:
    """The interface translations (.qm) load. A frozen build must carry them compiled (it
    cannot run lrelease); a source checkout may have the .ts sources only."""
    from PySide6.QtCore import QTranslator

    compiled = sorted(i18n.glob("*.qm"))
    if is_frozen() and i18n.is_dir() and not compiled:
        raise SelfTestFailure(f"no compiled translations (.qm) in {i18n}")
    for qm in compiled:
        if not QTranslator().load(str(qm)):
            raise SelfTestFailure(f"the translation {qm} does not load")
    if compiled:
        return ", ".join(qm.stem for qm in compiled)
    return "sources only (.ts)" if any(i18n.glob("*.ts")) else "none"


def _step_officers(run: _Run) -> str:
    from app.installation import Installation
    from forensics.identity import Profile

    run.home.mkdir(parents=True)
    run.inst = Installation(run.home)
    ids = run.inst.ids
    ids.init_ca(f"{AGENCY} CA", run.passphrase, agency=AGENCY)
    for name, badge in (("自检甲", "99000001"), ("自检乙", "99000002")):
        ids.init_officer(Profile(name, badge, AGENCY), run.passphrase)
        ids.issue(badge, run.passphrase)
    run.lead = ids.unlock("99000001", run.passphrase)
    run.second = ids.unlock("99000002", run.passphrase)
    return "99000001, 99000002"


def _step_seal(run: _Run) -> str:
    from app.capture.qualification import tool_qualification
    from forensics.case import Case
    from forensics.entry_data import SessionStartData

    lead, second = run.need(run.lead, "officer"), run.need(run.second, "officer")
    run.case = Case.create(
        run.home,
        lead,
        title="安装自检案件（非真实案件）",
        number="自检〔2026〕1号",
        cause="安装自检",
        target={"platform": "练习靶场", "url": SHOP_URL},
        location="本机",
        purpose="检验本机安装的取证软件能否正常工作",
        officers=[second.officer],
        agency=AGENCY,
        training=True,  # a self-test, not evidence: its built-in TSA counts as for training
    )
    # The session as a capture session opens it (method, target, the tool's qualification);
    # the proxy and the browser start in later steps, so it does not name them.
    start = SessionStartData(METHOD, (SHOP_URL,), tool=tool_qualification())
    run.session = run.case.start_session(lead, start)
    sample = run.root / "selftest-sample.txt"
    sample.write_text("Quzheng 取证 自检样本 / self-test sample\n", encoding="utf-8")
    rec = run.case.import_file(lead, sample, session=run.session)
    item = rec.items[0]
    return f"sha256:{item.sha256[:16]}… sm3:{item.sm3[:16]}…"


def _step_range(run: _Run) -> str:
    from forensics.range import SHOP_HOST, RangeServer

    run.range_server = RangeServer(run.root / "range", seed=2026, port=0)
    run.range_server.start()
    run.page_url = run.range_server.url(SHOP_HOST, RANGE_PAGE)
    return f"127.0.0.1:{run.range_server.port}"


def _step_proxy_start(run: _Run) -> str:
    from forensics.capture.controller import RecordingProxy
    from forensics.range import DOMAIN

    server = run.need(run.range_server, "the practice range")
    command = proxy_command()
    run.proxy = RecordingProxy(
        run.root / "proxy-work",
        run.root / "proxy-conf",
        map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
        upstream_cas=[server.ca_cert_path],
        operator="自检甲 (99000001)",
        on_segment=run.segments.append,
        startup_timeout=60.0,
        command=command,
    )
    run.proxy.start()
    shown = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command))
    return f"{run.proxy.proxy_url}, pid {run.proxy.pid}, `{shown}`"


def _step_browser(run: _Run) -> str:
    proxy = run.need(run.proxy, "the recording proxy")
    spki = proxy.disclosure.get("ca_spki_sha256_b64")
    if not isinstance(spki, str) or not spki:
        raise SelfTestFailure("the proxy did not disclose its CA's SPKI hash")
    from app.capture.chromium.discover import find_browser
    from forensics.errors import InputError

    try:
        install = find_browser()
    except InputError:
        install = None
    if install is not None:
        title, painted = _load_page_chromium(
            run, install.path, run.page_url, proxy.proxy_url, spki, proxy.credentials
        )
        engine = f"{install.product} {install.version or ''} over CDP"
    else:
        title, painted = _load_page(run, run.page_url, proxy.proxy_url, spki, proxy.credentials)
        engine = "Qt WebEngine fallback (no Chromium-family browser found)"
    if "营业执照" not in title:
        raise SelfTestFailure(f"unexpected page title {title!r} for {run.page_url}")
    if not painted:
        raise SelfTestFailure(f"the page loaded (title {title!r}) but nothing was drawn")
    return f"{title} ({engine})"


def _load_page_chromium(
    run: _Run, program: str, url: str, proxy_url: str, spki: str, credentials: tuple[str, str]
) -> tuple[str, bool]:
    """Load ``url`` in the capture browser (headless, fresh profile) behind the proxy, as a
    capture session does: (title, drawn)."""
    import io

    from PIL import Image

    from app.capture.chromium.engine import ChromiumEngine, EngineConfig
    from app.capture.chromium.flags import ProxyConfig
    from forensics.capture.clientauth import PRIME_HOST

    engine = ChromiumEngine(
        EngineConfig(
            executable_path=program,
            headless=True,
            proxy=ProxyConfig(proxy_url, credentials[0], credentials[1]),
            ca_spki_sha256_b64=spki,
            prime_url=f"http://{PRIME_HOST}/",
            root=_is_root(),
        )
    )
    run.engines.append(engine)
    engine.start().result(PAGE_LOAD_TIMEOUT_S)
    result = engine.navigate(url).result(PAGE_LOAD_TIMEOUT_S)
    png = engine.screenshot().result(PAINT_TIMEOUT_S + 30)
    with Image.open(io.BytesIO(png)) as picture:
        lowest, highest = zip(*picture.convert("RGB").getextrema(), strict=True)
    return result.title, lowest != highest


def _step_proxy_stop(run: _Run) -> str:
    proxy, case = run.need(run.proxy, "the recording proxy"), run.need(run.case, "the case")
    lead = run.need(run.lead, "officer")
    segments = proxy.stop(timeout=30.0)
    if proxy.returncode != 0:
        raise SelfTestFailure(
            f"the proxy exited with status {proxy.returncode}: {proxy.stderr_tail()[-1500:]}"
        )
    urls = [u for s in segments for u in s.urls]
    hosts = {h for s in segments for h in s.hosts}
    if not any(u.split("?")[0].endswith(RANGE_PAGE) for u in urls):
        raise SelfTestFailure(f"the recording lacks {RANGE_PAGE}; it holds {urls}")
    if not any(RANGE_STYLE in u for u in urls):
        raise SelfTestFailure(f"the recording lacks {RANGE_STYLE}; it holds {urls}")
    from forensics.range import DOMAIN

    strangers = sorted(h for h in hosts if h != DOMAIN and not h.endswith("." + DOMAIN))
    if strangers:
        raise SelfTestFailure(f"the browser reached hosts outside the range: {strangers}")
    for info in segments:
        case.seal_file(
            lead,
            info.path,
            kind="capture.traffic",
            data=info.ledger_data(),
            media_type="application/warc",
            session=run.session,
            folder="archive",
        )
    records = sum(s.records for s in segments)
    return f"{len(segments)} segment(s), {records} records, {len(urls)} URLs, sealed"


def _step_session_end(run: _Run) -> str:
    case = run.need(run.case, "the case")
    lead, second = run.need(run.lead, "officer"), run.need(run.second, "officer")
    rec = case.end_session(run.session, [lead, second])
    if run.range_server is not None:
        run.range_server.stop()
        run.range_server = None
    return f"seq {rec.seq}"


def _step_tsa(run: _Run) -> str:
    from forensics.stamping import load_config, stamp_pending
    from forensics.timestamp import TsaServer

    inst, case = run.need(run.inst, "installation"), run.need(run.case, "the case")
    lead = run.need(run.lead, "officer")
    run.tsa = TsaServer(run.home / "tsa", port=0)
    run.tsa.start()
    inst.ids.trust_tsa(run.tsa.trust_anchor_path.read_bytes(), "builtin-tsa")
    outcome = stamp_pending(case, lead, load_config([run.tsa.url], inst.ids.trusted_tsa_pems()))
    url = run.tsa.url
    run.tsa.stop()
    run.tsa = None
    if outcome.pending or not outcome.stamped:
        raise SelfTestFailure(
            f"time-stamping left {outcome.pending} seal point(s) queued "
            f"({len(outcome.stamped)} stamped): {outcome.reason_en}"
        )
    return f"{len(outcome.stamped)} token(s) from {url}"


def _step_verify(run: _Run) -> str:
    from forensics.ledger_checks import Severity

    inst, case = run.need(run.inst, "installation"), run.need(run.case, "the case")
    report = case.verify(inst.trust_policy(training=True))
    if not report.bottom_line:
        raise SelfTestFailure(
            "verification failed: "
            + "; ".join(f"[{f.code}] {f.subject}: {f.text('en')}" for f in report.errors)
        )
    warnings = sum(1 for f in report.findings if f.severity == Severity.WARNING)
    return f"{report.entries} entries, {report.items} files, {warnings} warning(s)"


def _step_report(run: _Run) -> str:
    from forensics.report import ReportSource, build_report

    case = run.need(run.case, "the case")
    out = run.root / "report.pdf"
    summary = build_report(ReportSource.from_case(case), out, lang="zh")
    with out.open("rb") as f:
        head = f.read(5)
    if head != b"%PDF-" or summary.pages < 1:
        raise SelfTestFailure(f"the report is not a PDF ({head!r}, {summary.pages} pages)")
    return f"{summary.pages} page(s), {summary.size} bytes"


def _step_package(run: _Run) -> str:
    from app.reporting import report_hook
    from forensics.package import export_package, verify_package

    inst, case = run.need(run.inst, "installation"), run.need(run.case, "the case")
    lead = run.need(run.lead, "officer")
    password = secrets.token_urlsafe(12)
    result = export_package(
        case, lead, run.root / "selftest.qzp", password=password, report=report_hook("zh")
    )
    report = verify_package(result.path, inst.trust_policy(training=True), password=password)
    if not report.bottom_line:
        raise SelfTestFailure(
            "the package does not verify: "
            + "; ".join(f"[{f.code}] {f.subject}: {f.text('en')}" for f in report.errors)
        )
    return f"{result.path.stat().st_size} bytes, {report.items} files verified"


# (zh, en, function): the order matters, each step builds on the ones before it.
STEPS: Final[tuple[tuple[str, str, Callable[[_Run], str]], ...]] = (
    ("程序模块", "program modules", _step_modules),
    ("资源文件", "resources", _step_resources),
    ("创建两名执法人员", "two officers", _step_officers),
    ("立案并封存文件", "case and a sealed file", _step_seal),
    ("启动练习靶场", "practice range", _step_range),
    ("启动取证代理（子进程）", "recording proxy (child process)", _step_proxy_start),
    ("浏览器经代理打开靶场页面", "browser through the proxy", _step_browser),
    ("停止代理并封存流量", "proxy stop, traffic sealed", _step_proxy_stop),
    ("两名执法人员签名结束会话", "session closed by two officers", _step_session_end),
    ("内置时间戳服务", "built-in time-stamp authority", _step_tsa),
    ("校验案件", "case verification", _step_verify),
    ("生成提取笔录（PDF）", "report (PDF)", _step_report),
    ("导出并校验证据包", "package export and verification", _step_package),
)


# -- the browser -------------------------------------------------------------------------------


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def _load_page(
    run: _Run, url: str, proxy_url: str, spki: str, credentials: tuple[str, str]
) -> tuple[str, bool]:
    """Load ``url`` in an offscreen Qt WebEngine view behind the proxy: (title, drawn)."""
    # Chromium reads these once, when Qt WebEngine starts: they are set before the
    # application exists and replace any earlier value, so nothing else can steer the
    # browser past the proxy (the same flags as the capture browser, app.capture.browser).
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    flags = [
        f"--proxy-server={proxy_url}",
        "--proxy-bypass-list=<-loopback>",
        f"--ignore-certificate-errors-spki-list={spki}",
        "--disable-gpu",
    ]
    if _is_root():
        flags.append("--no-sandbox")  # Chromium refuses to run sandboxed as root
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags)

    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    if QCoreApplication.instance() is not None:
        raise SelfTestFailure(
            "a Qt application already runs in this process; run the self-test on its own "
            "(the browser's proxy settings are fixed when Qt WebEngine starts)"
        )
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(["quzheng-selftest"])
    profile = QWebEngineProfile()  # off the record: no cache, cookies or history on disk
    page = QWebEnginePage(profile)
    # The proxy admits only who knows the session's secret (app.capture.browser).
    from app.capture.browser import BrowserConfig, answer_proxy_auth

    auth = BrowserConfig(proxy_url, spki, proxy_user=credentials[0], proxy_secret=credentials[1])
    run.qt_objects.append(answer_proxy_auth(page, auth))
    view = QWebEngineView()
    view.setPage(page)
    run.qt_objects += [app, profile, page, view]
    view.resize(1024, 768)
    view.show()

    def spin(predicate: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                return False
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()
        return True

    finished: list[bool] = []
    page.loadFinished.connect(finished.append)
    page.load(QUrl(url))
    if not spin(lambda: bool(finished), PAGE_LOAD_TIMEOUT_S):
        raise SelfTestFailure(f"the page did not load within {PAGE_LOAD_TIMEOUT_S:.0f} s: {url}")
    if not finished[-1]:
        raise SelfTestFailure(f"the page failed to load: {url} (title {page.title()!r})")
    spin(lambda: "营业执照" in page.title(), 5.0)

    def drawn() -> bool:
        image = view.grab().toImage()
        if image.isNull():
            return False
        first = image.pixel(0, 0)
        step = max(1, image.width() // 32)
        return any(
            image.pixel(x, y) != first
            for y in range(0, image.height(), step)
            for x in range(0, image.width(), step)
        )

    return page.title(), spin(drawn, PAINT_TIMEOUT_S)


def _close_qt(objects: list[Any]) -> None:
    """Delete the view and page before their profile (Qt WebEngine warns otherwise)."""
    if not objects:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    app, profile, page, view = objects
    view.close()
    view.setPage(None)
    for obj in (view, page, profile):
        obj.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    objects.clear()


# -- running -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(home: Path) -> Iterator[None]:
    """Point the app at the temporary data home; restore the environment afterwards."""
    keys = ("QUZHENG_HOME", "QUZHENG_OFFICER", "QUZHENG_PASSPHRASE")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["QUZHENG_HOME"] = str(home)
    for k in keys[1:]:
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cleanup(run: _Run) -> None:
    """Stop whatever still runs, newest first; a failure here must not hide the verdict."""
    actions: list[Callable[[], object]] = [
        lambda: _close_qt(run.qt_objects),
        *[lambda e=e: e.close().result(30) for e in run.engines],
    ]
    if run.proxy is not None and run.proxy.running:
        actions.append(run.proxy.kill)
    if run.tsa is not None:
        actions.append(run.tsa.stop)
    if run.range_server is not None:
        actions.append(run.range_server.stop)
    if run.case is not None:
        actions.append(run.case.close)
    for action in actions:
        try:
            action()
        except Exception as exc:
            run.say(f"  (清理时出错 / while cleaning up: {exc!r})")


def _describe(exc: BaseException) -> str:
    from forensics.errors import QuzhengError

    if isinstance(exc, QuzhengError):
        if exc.message_zh != exc.message_en:
            return f"{exc.message_zh} / {exc.message_en}"
        return exc.message_en
    return f"{type(exc).__name__}: {exc}"


def run_selftest(out: TextIO | None = None) -> int:
    """Run every step (see the module docstring); 0 when all pass, 1 at the first failure."""
    stream = out or sys.stdout
    from forensics import __version__

    mode = "frozen build 打包版" if is_frozen() else "source 源码"
    print(
        f"Quzheng 取证 {__version__} 自检 / self-test — {mode}; {sys.executable}; "
        f"Python {platform.python_version()}; {platform.platform()}",
        file=stream,
        flush=True,
    )
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="quzheng-selftest-"))
    run = _Run(root=root, out=stream)
    failed: tuple[int, str, str] | None = None
    try:
        with _environment(run.home):
            for n, (zh, en, step) in enumerate(STEPS, 1):
                # The verdict goes on a line of its own: Qt and Chromium write to stderr
                # while a step runs, and would break a shared line on a terminal.
                run.say(f"[{n:2d}/{len(STEPS)}] {zh} / {en} …")
                t0 = time.monotonic()
                try:
                    detail = step(run)
                except Exception as exc:
                    failed = (n, zh, en)
                    run.say(
                        f"        失败 FAILED ({time.monotonic() - t0:.1f} s): {_describe(exc)}"
                    )
                    if not isinstance(exc, SelfTestFailure):  # a bug, or a part missing
                        traceback.print_exception(exc, file=sys.stderr)
                    break
                run.say(f"        通过 ok ({time.monotonic() - t0:.1f} s) — {detail}")
    finally:
        _cleanup(run)
        shutil.rmtree(root, ignore_errors=True)
    elapsed = time.monotonic() - started
    if failed is not None:
        n, zh, en = failed
        run.say(
            f"自检未通过：第 {n} 步“{zh}”失败（{elapsed:.1f} 秒）/ "
            f"Self-test FAILED at step {n}, {en} ({elapsed:.1f} s)"
        )
        return 1
    run.say(
        f"自检通过：{len(STEPS)} 步全部通过（{elapsed:.1f} 秒）/ "
        f"Self-test passed: all {len(STEPS)} steps ({elapsed:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(run_selftest())

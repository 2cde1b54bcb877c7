"""Capture scenarios run in a child process: ``python -m tests.app.capture.scenarios NAME CONFIG``.

Each runs the real thing — the practice range over TLS in this process, the recording proxy
as its child, Qt WebEngine offscreen — against the case in ``config["home"]`` and writes
what the parent test needs to check into ``config["result"]`` (JSON). The parent verifies
the case itself; nothing here asserts more than "the scenario could run".
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics.errors import QuzhengError

_PERF_JS = """JSON.stringify(performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .map(e => ({url: e.name, status: e.responseStatus || 0, type: e.initiatorType || 'navigation'})))"""
_RECT_JS = """(() => { for (const id of ['player', 'still']) {
  const el = document.getElementById(id);
  if (el && !el.hidden) { const r = el.getBoundingClientRect();
    return JSON.stringify({id, x: r.x, y: r.y, width: r.width, height: r.height,
            mode: (document.getElementById('player-mode') || {}).textContent || ''}); } }
  return 'null'; })()"""


class ShiftClock:
    """The range's clock: real time plus a shift the scenario can jump, so the live stream
    shows a chosen claim while the screen is recorded."""

    def __init__(self) -> None:
        self.shift = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.time() + self.shift

    def jump(self, seconds: float) -> None:
        with self._lock:
            self.shift += seconds


def quick_env_check(
    targets: Any, disclosure: Any, profile_dir: Path, *, browser: Any = None
) -> Any:
    """The real clean-environment check, without the internet: no NTP, no echo service,
    and the range's names resolved the way the proxy maps them."""
    from forensics.environment import snapshot

    return snapshot(
        targets,
        ntp_servers=[],
        echo_urls=[],
        browser_profile=profile_dir,
        capture_browser=browser,
        proxy_disclosure=disclosure,
        resolver=lambda host: ["127.0.0.1"],
        timeout=1.0,
    )


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return True


def chromium(browser: Any) -> bool:
    return getattr(browser, "engine_name", "") == "chromium"


def js(browser: Any, source: str, timeout: float = 15.0) -> Any:
    """Run ``source`` in the page (the page's own world) on either engine."""
    if chromium(browser):
        return browser.engine.evaluate(source).result(timeout)
    box: list[Any] = []
    browser.page.runJavaScript(source, 0, box.append)
    if not wait_until(lambda: bool(box), timeout):
        raise RuntimeError(f"no answer from the page to {source[:40]!r}")
    return box[0]


def load(browser: Any, url: str, timeout: float = 60.0) -> None:
    done: list[bool] = []
    browser.loaded.connect(done.append)
    try:
        browser.navigate(url)
        if not wait_until(lambda: bool(done), timeout) or not done[-1]:
            raise RuntimeError(f"{url} did not load: {done}")
    finally:
        browser.loaded.disconnect(done.append)


def act(start: Callable[[Callable[[Any], None]], None], timeout: float = 120.0) -> Any:
    box: list[Any] = []
    start(box.append)
    if not wait_until(lambda: bool(box), timeout):
        raise RuntimeError("capture action did not finish")
    return box[0]


def perf(browser: Any) -> list[dict[str, Any]]:
    return list(json.loads(js(browser, _PERF_JS)))


def viewport(browser: Any) -> list[int]:
    if chromium(browser):
        return list(js(browser, "[window.innerWidth, window.innerHeight]"))
    return [browser.view.width(), browser.view.height()]


def recorded_size(browser: Any) -> list[int]:
    """The size of the pictures the recorder films: the Qt workspace, or the page with the
    URL strip above it (Chromium)."""
    if chromium(browser):
        from app.capture.recorder import URL_STRIP_PX

        w, h = viewport(browser)
        return [w, h + URL_STRIP_PX]
    return [browser.width(), browser.height()]


def page_offset(browser: Any) -> list[int]:
    if chromium(browser):
        from app.capture.recorder import URL_STRIP_PX

        return [0, URL_STRIP_PX]
    offset = browser.page_offset()
    return [offset.x(), offset.y()]


class Env:
    def __init__(self, config: dict[str, Any]) -> None:
        from forensics.identity import IdentityStore
        from forensics.stamping import TsaConfig

        self.config = config
        self.home = Path(config["home"])
        ids = IdentityStore(self.home)
        self.signers = [ids.unlock(b, config["passphrase"]) for b in config["badges"]]
        self.tsa = TsaConfig(
            (config["tsa_url"],), (Path(config["tsa_root"]).read_bytes(),), timeout=10.0
        )
        self.result: dict[str, Any] = {}

    def write(self) -> None:
        Path(self.config["result"]).write_text(
            json.dumps(self.result, ensure_ascii=False), encoding="utf-8"
        )


def _options(env: Env, server: Any, targets: tuple[str, ...], fps: int, segment: float) -> Any:
    from app.capture.options import CaptureOptions
    from app.capture.recorder import VideoSettings
    from forensics.range import DOMAIN

    return CaptureOptions(
        targets=targets,
        map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
        upstream_cas=(server.ca_cert_path,),
        video=VideoSettings(fps=fps, segment_seconds=segment),
        env_check=quick_env_check,
        window=(1280, 760),
        ca_dir=Path(env.config["ca_dir"]),
    )


def full(env: Env) -> None:
    """Browse the shop (home, a product by clicking, the long page), take every kind of
    capture, record the live room with a mark, close with two officers and stamp."""
    from app.capture.browser import configure_chromium, ensure_application
    from app.capture.fullpage import take_full_page
    from app.capture.session import CaptureSession
    from app.installation import Installation
    from forensics.case import Case
    from forensics.range import LIVE_HOST, SHOP_HOST, RangeServer

    clock = ShiftClock()
    with (
        RangeServer(Path(env.config["range_dir"]), seed=2026, now=clock) as server,
        Case.open(env.home, env.config["case_id"]) as case,
    ):
        manifest = server.manifest
        home_url = manifest.url(SHOP_HOST, "/")
        session = CaptureSession(
            Installation(env.home),
            case,
            env.signers[0],
            options=_options(env, server, (home_url,), fps=10, segment=4.0),
            tsa=env.tsa,  # each seal point stamped as it is sealed
        )
        session.start()
        configure_chromium(session.browser_config)
        ensure_application()
        browser = session.open_browser()
        browser.resize(1280, 760)
        browser.show()
        pages: dict[str, list[dict[str, Any]]] = {}
        results: dict[str, Any] = {}
        try:
            load(browser, home_url)
            # Follow a product link the way an officer would: a click, not a typed URL.
            clicked: list[bool] = []
            browser.loaded.connect(clicked.append)
            target = js(
                browser,
                "(() => { const a = document.querySelector('a[href*=\"/item/\"]');"
                " a.click(); return a.href; })()",
            )
            wait_until(lambda: bool(clicked), 60)
            browser.loaded.disconnect(clicked.append)
            wait_until(lambda: False, 1.0)
            pages["product"] = perf(browser)
            results["screenshot"] = act(session.screenshot).unwrap().record.seq
            results["product_url"] = target
            long_url = next(p.url for p in manifest.pages if p.kind == "long")
            load(browser, long_url)
            results["full_page"] = act(session.full_page).unwrap().record.seq
            results["engine"] = "chromium" if chromium(browser) else "qtwebengine"
            if not chromium(browser):
                # The same page in parts, as a page taller than Qt WebEngine renders would be.
                parts = dataclasses.replace(session.action_context(), max_part_px=10_000)
                results["full_page_parts"] = (
                    act(lambda done: take_full_page(parts, done)).unwrap().record.seq
                )
            session.set_logged_in_account("kailan_test（测试账号）").result(10)
            results["snapshot"] = act(session.snapshot).unwrap().record.seq
            pages["long"] = perf(browser)
            results["long_url"] = long_url
            results["long_height"] = js(browser, "document.documentElement.scrollHeight")
            results["viewport"] = viewport(browser)

            # The live room: jump the stream so that a long claim is on screen while the
            # player (which starts about three segments behind the live edge) is filmed.
            plan = server.content.stream
            claim = max(plan.claims, key=lambda c: c.end_s - c.start_s)
            timeline = server.timeline
            now_s = timeline.stream_seconds()
            loop_at = (now_s // plan.loop_s + 1) * plan.loop_s
            clock.jump(loop_at + claim.start_s + 7 - now_s)
            results["claim"] = {
                "id": claim.claim_id,
                "start_s": claim.start_s,
                "end_s": claim.end_s,
            }
            results["stream"] = {
                "origin": timeline.origin,
                "shift": clock.shift,
                "preroll_s": plan.preroll_s,
                "fps": plan.fps,
                "loop_s": plan.loop_s,
            }
            recorder = session.start_recording()
            load(browser, manifest.url(LIVE_HOST, f"/room/{plan.room_id}"))
            wait_until(lambda: recorder.elapsed_us() >= 4_000_000, 30)
            mark = session.mark("主播口播“" + claim.text + "”")
            wait_until(lambda: recorder.elapsed_us() >= 9_000_000, 30)
            results["video_rect"] = json.loads(js(browser, _RECT_JS))
            results["live_shot"] = act(session.screenshot).unwrap().record.seq
            results["page_offset"] = page_offset(browser)
            results["workspace"] = recorded_size(browser)
            pages["live"] = perf(browser)
            results["mark"] = mark.result(30).seq
            results["recorder"] = {
                "grabbed": recorder.frames_grabbed,
                "dropped": recorder.frames_dropped,
            }
            results["requests"] = [
                {"url": r.url, "resource": r.resource} for r in browser.navlog.requests
            ]
        finally:
            session.stop_capture()
            browser.shutdown()
            summary = session.finish(env.signers, tsa=env.tsa)
        results["session"] = summary.session
        results["error"] = summary.error.message_en if summary.error else None
        results["pending"] = summary.stamps.pending if summary.stamps else None
        results["pages"] = pages
        env.result = results


def kill_proxy(env: Env) -> None:
    """Kill the recording proxy mid-session: capture must stop, the officer be told, and
    the session still close cleanly with two officers."""
    from app.capture.browser import configure_chromium, ensure_application
    from app.capture.session import CaptureSession
    from app.installation import Installation
    from forensics.case import Case
    from forensics.range import SHOP_HOST, RangeServer

    told: list[str] = []
    with (
        RangeServer(Path(env.config["range_dir"]), seed=2026) as server,
        Case.open(env.home, env.config["case_id"]) as case,
    ):
        url = server.manifest.url(SHOP_HOST, "/")
        session = CaptureSession(
            Installation(env.home),
            case,
            env.signers[0],
            options=_options(env, server, (url,), 10, 60.0),
        )
        session.start()
        configure_chromium(session.browser_config)
        ensure_application()
        on_gui: list[bool] = []
        abort = session._abort

        def watched_abort(err: object) -> None:
            on_gui.append(threading.current_thread() is threading.main_thread())
            abort(err)

        session._abort = watched_abort  # type: ignore[method-assign]
        browser = session.open_browser()
        browser.resize(1024, 700)
        browser.show()
        assert session.events is not None
        session.events.failed.connect(lambda err: told.append(err.message_en))
        results: dict[str, Any] = {}
        try:
            recorder = session.start_recording()
            load(browser, url)
            wait_until(lambda: recorder.elapsed_us() > 1_500_000, 20)
            assert session.proxy is not None
            os.kill(session.proxy.pid, signal.SIGKILL)
            results["noticed"] = wait_until(lambda: bool(told), 15)
            results["recorder_state"] = recorder.state
            results["address_enabled"] = (
                not browser.shut_down if chromium(browser) else browser.address.isEnabled()
            )
            outcome = act(session.screenshot)
            results["screenshot_error"] = (
                outcome.error.message_en if isinstance(outcome.error, QuzhengError) else None
            )
            try:
                session.mark("after the proxy died")
                results["mark_refused"] = False
            except QuzhengError:
                results["mark_refused"] = True
        finally:
            session.stop_capture()
            browser.shutdown()
            summary = session.finish(env.signers, tsa=env.tsa)
        results["told"] = told
        results["abort_on_gui_thread"] = on_gui
        results["summary_error"] = summary.error.message_en if summary.error else None
        results["session"] = summary.session
        env.result = results


def headless(env: Env) -> None:
    """``run_capture`` end to end against a range running in this process."""
    from app.capture.headless import practice_range_mapping, run_capture
    from app.installation import Installation
    from forensics.range import SHOP_HOST, RangeServer

    lines: list[str] = []
    range_dir = Path(env.config["range_dir"])
    with RangeServer(range_dir, seed=2026) as server:
        url = server.manifest.url(SHOP_HOST, "/licence")
        map_hosts, cas = practice_range_mapping(range_dir, server.port)
        os.environ["QUZHENG_LANG"] = env.config.get("lang", "zh")
        code = run_capture(
            Installation(env.home),
            env.config["case_id"],
            url,
            signers=env.signers,
            full_page=True,
            snapshot=True,
            video_seconds=4,
            map_hosts=map_hosts,
            upstream_cas=cas,
            tsa=env.tsa,
            marks=[(2.0, "营业执照页面 licence page")],
            out=lines.append,
            env_check=False,
        )
    env.result = {"code": code, "lines": lines, "url": url}


def intruder(env: Env) -> None:
    """While the browser captures, another process on this computer uses the recording
    proxy (no credentials, then a wrong secret): it must be refused (issue #16)."""
    import subprocess

    from app.capture.browser import configure_chromium, ensure_application
    from app.capture.session import CaptureSession
    from app.installation import Installation
    from forensics.case import Case
    from forensics.range import SHOP_HOST, RangeServer

    told: list[str] = []
    with (
        RangeServer(Path(env.config["range_dir"]), seed=2026) as server,
        Case.open(env.home, env.config["case_id"]) as case,
    ):
        home_url = server.manifest.url(SHOP_HOST, "/")
        licence_url = server.manifest.url(SHOP_HOST, "/licence")
        session = CaptureSession(
            Installation(env.home),
            case,
            env.signers[0],
            options=_options(env, server, (home_url,), 10, 60.0),
            out=told.append,
        )
        session.start()
        configure_chromium(session.browser_config)
        ensure_application()
        browser = session.open_browser()
        browser.resize(1024, 700)
        browser.show()
        proxy = session.proxy
        assert proxy is not None and proxy.ca is not None
        results: dict[str, Any] = {"primed": browser.proxy_primed, "port": proxy.port}
        try:
            load(browser, home_url)
            results["refused_before_intruder"] = proxy.refused_count
            codes = []
            for credentials in ("", "quzheng:" + "w" * 43 + "@"):
                run = subprocess.run(
                    ["curl", "-s", "-o", "/dev/null", "--max-time", "20",
                     "--cacert", str(proxy.ca.cert_path),
                     "-x", f"http://{credentials}127.0.0.1:{proxy.port}",
                     "-w", "%{http_connect}", env.config["intruder_url"]],
                    capture_output=True, text=True, timeout=60,
                )  # fmt: skip
                codes.append(run.stdout.strip())
            results["intruder_codes"] = codes
            results["told_live"] = wait_until(lambda: bool(told), 10)
            load(browser, licence_url)  # the browser still captures after the attempts
            results["refused_total"] = proxy.refused_count
            results["secret"] = proxy.credentials[1]
        finally:
            session.stop_capture()
            browser.shutdown()
            summary = session.finish(env.signers)
        results["told"] = told
        results["urls"] = [home_url, licence_url]
        results["session"] = summary.session
        results["error"] = summary.error.message_en if summary.error else None
        env.result = results


SCENARIOS: dict[str, Callable[[Env], None]] = {
    "full": full,
    "kill_proxy": kill_proxy,
    "headless": headless,
    "intruder": intruder,
}


def main() -> int:
    name, config_path = sys.argv[1], Path(sys.argv[2])
    env = Env(json.loads(config_path.read_text(encoding="utf-8")))
    try:
        SCENARIOS[name](env)
    except QuzhengError as exc:
        env.result["raised"] = exc.message_en
        env.write()
        raise
    env.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())

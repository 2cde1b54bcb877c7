"""Capture engine (issues 10 and 17): screen recording and full-page capture, on the Chromium
engine against the Qt WebEngine fallback measured in the same run.

Everything real, used as the product uses it: a ``CaptureSession`` (headless, window
1280×720) with ``CaptureOptions.browser`` "qtwebengine" (the old engine: ``SessionBrowser``,
its workspace grabbed by the recorder) and then "chromium" (the new one: a Chromium-family
browser over CDP, ``ChromiumBrowser``; the recorder takes the newest screencast frame), the
practice range in this process, the recording proxy as its child, a case with two officers
in a scratch data home. Qt WebEngine takes its proxy flags once per process, so ``main()``
runs each engine in a child process of its own (``python -m benchmarks.bench_capture
--child ENGINE``), which hands its figures back as JSON; ``main()`` prints the Chromium
figures with their ratios to the Qt ones. ``QZ_BENCH_CAPTURE_ENGINES`` (default
``qtwebengine,chromium``) chooses the engines; with Chromium alone there are no ratios.

For each engine:

1. Baseline, with the range's live room playing in the 1280×720 page: the GUI event loop's
   lateness with nothing recording (a 10 ms ``QTimer`` measuring how late it fires, p50 and
   p99), and, for Qt, the raw ``QWidget.grab()`` rate of the workspace.
2. Recording: the same page recorded for ``QZ_BENCH_CAPTURE_SECONDS`` (default 60; 600 for
   the issue's ten minutes) at a constant ``QZ_BENCH_CAPTURE_FPS`` (default 25), cut and
   sealed in ``QZ_BENCH_CAPTURE_SEGMENT`` second segments (default 60). Reported: frames
   written and dropped, achieved fps, the event loop's lateness while recording (p50,
   p99), the grab time per frame, the CPU used (cores: this process — GUI, encoder,
   sealer, the range — and its child processes — the browser, Playwright's driver, the
   proxy), the segments and frames sealed, and for Chromium how many distinct pictures the
   screencast delivered per second (Chromium sends a frame only when the page's pixels
   change; the recorder repeats the newest picture in a slot with no new one, as a screen
   would, so the output rate stays constant). The range's stream has 10 pictures a second,
   so for Chromium the recording then goes on ``BUSY_S`` seconds with a corner of the page
   changed on every animation frame: the screencast's own ceiling. Qt WebEngine cannot play
   the stream (H.264): its player stays still, so its recording, and its CPU use, are those
   of a page that does not move.
3. Full page of the range's long page (24,350 px), ``QZ_BENCH_CAPTURE_COLD_RUNS`` times
   (default 5): the HTTP cache cleared and the page loaded afresh, then one capture right
   after the load (cold: its ~80 lazy photos load through the recording proxy during the
   capture) and one more of the loaded page (warm) — each from the click to the sealed
   entry, PNG and sealing included. Every picture is checked to be whole (no flat 300 px
   stripe below the first screen: a stale or unfinished frame would be wrong evidence
   however fast). On Chromium the screencast started by the recording is still running, as
   it is in a session that recorded. ``QZ_BENCH_CAPTURE_VERBOSE=1`` prints each run's waits.

Targets, on Chromium only (the Qt engine's figures are the baseline): achieved ≥ 90 % of the
target fps and ≤ 5 % of the frames dropped; event-loop lateness p99 < 100 ms while
recording; every frame written sealed, and every segment; full page cold median < 2 s;
every picture whole; the session closed without error. A run exits non-zero when one is
missed, or when an engine's run did not finish.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.capture.engines import CaptureBrowser

SECONDS = float(os.environ.get("QZ_BENCH_CAPTURE_SECONDS", "60"))
FPS = int(os.environ.get("QZ_BENCH_CAPTURE_FPS", "25"))
SEGMENT = float(os.environ.get("QZ_BENCH_CAPTURE_SEGMENT", "60"))
COLD_RUNS = int(os.environ.get("QZ_BENCH_CAPTURE_COLD_RUNS", "5"))
ENGINES = tuple(
    e.strip()
    for e in os.environ.get("QZ_BENCH_CAPTURE_ENGINES", "qtwebengine,chromium").split(",")
    if e.strip()
)
VERBOSE = bool(os.environ.get("QZ_BENCH_CAPTURE_VERBOSE"))
BASELINE_S = 5.0
BUSY_S = 5.0
BUSY_JS = """(() => { const d = document.createElement('div'); d.id = 'qz-bench-busy';
  d.style.cssText = 'position:fixed;right:0;top:0;width:96px;height:96px;z-index:2147483647';
  document.body.appendChild(d); let n = 0;
  const step = () => { if (!d.isConnected) return;
    d.style.background = n++ % 2 ? '#000' : '#fff'; requestAnimationFrame(step); };
  requestAnimationFrame(step); return true; })()"""
WIDTH, HEIGHT = 1280, 720
FULL_PAGE_COLD_S = 2.0  # the Chromium target
PASSPHRASE = "bench passphrase"
SCRATCH_ENV = "QZ_BENCH_CAPTURE_SCRATCH"
RESULT_ENV = "QZ_BENCH_CAPTURE_RESULT"
NAMES = {"qtwebengine": "Qt WebEngine (old)", "chromium": "Chromium over CDP (new)"}


# -- parent ---------------------------------------------------------------------------------


def main() -> int:
    """Run each engine in a fresh process (Qt WebEngine's flags are per process), then
    compare."""
    root = Path(__file__).resolve().parents[1]
    unknown = [e for e in ENGINES if e not in NAMES]
    if unknown or not ENGINES:
        print(f"QZ_BENCH_CAPTURE_ENGINES: unknown {unknown}; use {', '.join(NAMES)}")
        return 2
    results: dict[str, dict[str, Any] | None] = {}
    # The scratch (a case with every capture, the range) goes however the children end.
    with tempfile.TemporaryDirectory(
        prefix="qz-bench-capture-", dir=os.environ.get("QZ_BENCH_DIR")
    ) as scratch:
        for engine in ENGINES:
            print(f"--- {NAMES[engine]} ---", flush=True)
            out = Path(scratch) / f"{engine}.json"
            work = Path(scratch) / engine
            work.mkdir()
            env = dict(
                os.environ,
                QT_QPA_PLATFORM="offscreen",
                PYTHONPATH=str(root),
                **{SCRATCH_ENV: str(work), RESULT_ENV: str(out)},
            )
            proc = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_capture", "--child", engine],
                cwd=root,
                env=env,
            )
            results[engine] = (
                json.loads(out.read_text("utf-8"))
                if proc.returncode == 0 and out.exists()
                else None
            )
    return report(results)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "n/a"


def report(results: dict[str, dict[str, Any] | None]) -> int:
    failures: list[str] = []
    for engine, result in results.items():
        if result is None:
            failures.append(f"the {NAMES[engine]} run did not finish")
    new, old = results.get("chromium"), results.get("qtwebengine")
    if old is not None:
        for check in old["checks"]:  # the baseline's own problems: told, not judged
            print(f"note ({NAMES['qtwebengine']}): {check}")
    if new is not None:
        rec, fp = new["recording"], new["full_page"]
        print(
            f"=== {new['browser']} vs {old['browser'] if old else 'no baseline'}, "
            f"{rec['seconds']:.0f} s at {FPS} fps ==="
        )

        def vs(key: str, fmt: str, section: str = "recording", inverse: bool = False) -> str:
            if old is None:
                return ""
            a, b = new[section][key], old[section][key]
            ratio = _ratio(b, a) if inverse else _ratio(a, b)
            return f" (Qt {format(b, fmt)}; {'old/new' if inverse else 'new/old'} {ratio})"

        print(
            f"recording {rec['size'][0]}×{rec['size'][1]}: {rec['written']} frames written, "
            f"{rec['dropped']} dropped ({rec['dropped_share']:.1%}), achieved "
            f"{rec['fps']:.2f} fps ({rec['fps'] / FPS:.2f}× target){vs('fps', '.2f')}"
        )
        if rec.get("source_fps") is not None:
            print(
                f"recording: the screencast delivered {rec['source_fps']:.1f} distinct "
                f"pictures/s ({rec['source_fps'] / FPS:.2f}× the output rate; slots without a "
                "new picture repeat the newest); a page changing on every animation frame "
                f"got {rec['busy_source_fps']:.1f}/s"
            )
        print(
            f"recording: CPU {rec['cpu_total']:.2f} cores (this process "
            f"{rec['cpu_self']:.2f}, browser and proxy {rec['cpu_children']:.2f})"
            f"{vs('cpu_total', '.2f')}"
        )
        print(
            f"recording: GUI event-loop lateness p99 {rec['p99']:.1f} ms"
            f"{vs('p99', '.1f')}, p50 {rec['p50']:.1f} ms; with nothing recording p99 "
            f"{new['baseline']['p99']:.1f} ms"
        )
        print(
            f"full page {fp['height']} px: cold median {fp['cold_median']:.2f} s"
            f"{vs('cold_median', '.2f', 'full_page', inverse=True)}, warm median "
            f"{fp['warm_median']:.2f} s{vs('warm_median', '.2f', 'full_page', inverse=True)}"
        )
        if rec["fps"] < 0.9 * FPS:
            failures.append(f"achieved {rec['fps']:.1f} fps < 90 % of {FPS}")
        if rec["dropped_share"] > 0.05:
            failures.append(f"{rec['dropped']} frames dropped (> 5 %)")
        if rec["p99"] >= 100:
            failures.append(f"event-loop lateness p99 {rec['p99']:.0f} ms ≥ 100 ms while recording")
        if fp["cold_median"] >= FULL_PAGE_COLD_S:
            failures.append(
                f"full page (cold, median) took {fp['cold_median']:.2f} s ≥ {FULL_PAGE_COLD_S} s"
            )
        failures.extend(new["checks"])
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


# -- child: one engine ----------------------------------------------------------------------


class LatencyProbe:
    """A 10 ms timer that records how late each tick fires (the GUI thread's lateness)."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.late_ms: list[float] = []
        self._due = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.late_ms.clear()
        self._due = time.monotonic() + self.interval
        self.timer.start(int(self.interval * 1000))

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        self.late_ms.append(max(0.0, (now - self._due) * 1000))
        self._due = now + self.interval
        self.timer.start(int(self.interval * 1000))

    def percentile(self, p: float) -> float:
        if not self.late_ms:
            return float("nan")
        data = sorted(self.late_ms)
        return data[min(len(data) - 1, int(p / 100 * len(data)))]


class CpuMeter:
    """CPU seconds of this process and of its descendants (the browser's processes,
    Playwright's driver, the proxy), per process id between ``start`` and ``read``."""

    def __init__(self) -> None:
        self._self0 = 0.0
        self._kids0: dict[int, float] = {}
        self._t0 = 0.0

    @staticmethod
    def _sample() -> tuple[float, dict[int, float]]:
        import psutil

        me = psutil.Process()
        times = me.cpu_times()
        kids: dict[int, float] = {}
        for proc in me.children(recursive=True):
            try:
                t = proc.cpu_times()
                kids[proc.pid] = t.user + t.system
            except psutil.Error:
                pass
        return times.user + times.system, kids

    def start(self) -> None:
        self._self0, self._kids0 = self._sample()
        self._t0 = time.monotonic()

    def read(self) -> tuple[float, float]:
        """Cores used since ``start``: (this process, its descendants). A process that
        ended meanwhile is missed; one that started counts whole."""
        own, kids = self._sample()
        wall = time.monotonic() - self._t0
        children = sum(max(0.0, t - self._kids0.get(pid, 0.0)) for pid, t in kids.items())
        return (own - self._self0) / wall, children / wall


def spin(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        spin(0.02)
    return True


def is_chromium(browser: CaptureBrowser) -> bool:
    return getattr(browser, "engine_name", "") == "chromium"


def js(browser: CaptureBrowser, source: str, timeout: float = 15.0) -> Any:
    """Run ``source`` in the page (the page's own world) on either engine."""
    from app.capture.browser import SessionBrowser

    if not isinstance(browser, SessionBrowser):
        return browser.engine.evaluate(source).result(timeout)
    box: list[Any] = []
    browser.page.runJavaScript(source, 0, box.append)
    if not wait_until(lambda: bool(box), timeout):
        raise RuntimeError(f"no answer from the page to {source[:40]!r}")
    return box[0]


def load(browser: CaptureBrowser, url: str, timeout: float = 60.0) -> None:
    done: list[bool] = []
    browser.loaded.connect(done.append)
    try:
        browser.navigate(url)
        if not wait_until(lambda: bool(done), timeout) or not done[-1]:
            raise RuntimeError(f"{url} did not load: {done}")
    finally:
        browser.loaded.disconnect(done.append)


def forget_page(browser: CaptureBrowser) -> None:
    """Clear the HTTP cache and show a blank document, so the next load is a first one."""
    from app.capture.browser import SessionBrowser

    if isinstance(browser, SessionBrowser):
        from PySide6.QtCore import QUrl

        browser.profile.clearHttpCache()
        browser.view.load(QUrl("about:blank"))
    else:
        engine = browser.engine
        # No public call for it: CDP on the engine's own thread, like its other jobs.
        engine._submit(
            "clear cache", lambda: engine._need_cdp().send("Network.clearBrowserCache")
        ).result(30)
        engine.navigate("about:blank").result(30)
    spin(0.5)


def browser_name(browser: CaptureBrowser) -> str:
    from app.capture.browser import SessionBrowser

    if isinstance(browser, SessionBrowser):
        import PySide6
        from PySide6.QtWebEngineCore import qWebEngineChromiumVersion

        chromium = str(qWebEngineChromiumVersion())  # typed as bytes, a str at run time
        return f"Qt WebEngine {PySide6.__version__} (Chromium {chromium})"
    return f"{browser.install.product} {browser.version.version or browser.install.version}"


def blank_bands(png: Path, top: int, band: int = 300) -> int:
    """How many ``band``-px stripes of the picture below ``top`` are one flat colour. The
    range's long page has none: a flat stripe means the picture was grabbed before the
    browser drew that part (a stale or unfinished frame), which would be wrong evidence
    however fast."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
    flat = 0
    for y in range(top, grey.height - band, band):
        extrema = grey.crop((0, y, grey.width, y + band)).getextrema()
        assert isinstance(extrema[0], int) and isinstance(extrema[1], int)
        flat += extrema[1] - extrema[0] < 10
    return flat


def child(engine: str) -> int:
    from app.capture.browser import SessionBrowser, configure_chromium, ensure_application
    from app.capture.options import CaptureOptions
    from app.capture.recorder import VideoSettings
    from app.capture.session import CaptureSession
    from app.capture.tasks import Outcome
    from app.installation import Installation
    from forensics.case import Case
    from forensics.identity import IdentityStore, Profile
    from forensics.range import DOMAIN, LIVE_HOST, RangeServer

    name = NAMES[engine]
    checks: list[str] = []  # what must hold whatever the speed (judged for Chromium)
    scratch = Path(os.environ.get(SCRATCH_ENV) or tempfile.mkdtemp(prefix="qz-bench-capture-"))
    home = scratch / "home"
    ids = IdentityStore(home)
    ids.init_ca("Bench CA", PASSPHRASE)
    for officer, badge in (("张明", "31000001"), ("李华", "31000002")):
        ids.init_officer(Profile(officer, badge, "示例市市场监督管理局"), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)
    lead, second = (ids.unlock(b, PASSPHRASE) for b in ("31000001", "31000002"))
    case = Case.create(
        home, lead, title="录像基准", number="基准〔2026〕1号", officers=[second.officer]
    )
    result: dict[str, Any] = {"engine": engine}

    with RangeServer(scratch / "range", seed=2026) as server, case:
        manifest = server.manifest
        session = CaptureSession(
            Installation(home),
            case,
            lead,
            options=CaptureOptions(
                map_hosts={DOMAIN: f"127.0.0.1:{server.port}"},
                upstream_cas=(server.ca_cert_path,),
                video=VideoSettings(fps=FPS, segment_seconds=SEGMENT),
                browser=engine,
                headless=True,
                window=(WIDTH, HEIGHT),
            ),
        )
        session.start()
        configure_chromium(session.browser_config)
        ensure_application()
        browser = session.open_browser()
        if isinstance(browser, SessionBrowser):  # the workspace: page 1280×720 + address bar
            browser.resize(WIDTH, HEIGHT + browser.address.sizeHint().height() + 8)
        browser.show()
        probe = LatencyProbe()
        cpu = CpuMeter()
        result["browser"] = browser_name(browser)
        try:
            load(browser, manifest.url(LIVE_HOST, f"/room/{manifest.content.stream.room_id}"))
            spin(3.0)  # the player starts
            viewport = json.loads(
                js(browser, "JSON.stringify([window.innerWidth, window.innerHeight])")
            )
            print(f"{name}: {result['browser']}, page {viewport[0]}×{viewport[1]}", flush=True)

            # (1) baseline: lateness with nothing recording; Qt: raw grabs of the workspace
            probe.start()
            spin(BASELINE_S)
            probe.stop()
            baseline: dict[str, Any] = {"p50": probe.percentile(50), "p99": probe.percentile(99)}
            if isinstance(browser, SessionBrowser):
                grabs = 0
                t0 = time.monotonic()
                while time.monotonic() - t0 < BASELINE_S:
                    browser.grab().toImage()
                    grabs += 1
                    if grabs % 5 == 0:
                        spin(0)
                baseline["grab_rate"] = grabs / (time.monotonic() - t0)
            result["baseline"] = baseline
            print(
                f"{name}: nothing recording: event-loop lateness p50 {baseline['p50']:.1f} ms, "
                f"p99 {baseline['p99']:.1f} ms"
                + (
                    f"; raw QWidget.grab() {baseline['grab_rate']:.0f} grabs/s"
                    if "grab_rate" in baseline
                    else ""
                ),
                flush=True,
            )

            # (2) recording at a constant output rate
            pictures0 = 0
            cpu.start()
            wall0 = time.monotonic()
            recorder = session.start_recording()
            if not isinstance(browser, SessionBrowser):
                pictures0 = browser.frames_received
            probe.start()
            spin(SECONDS)
            probe.stop()
            elapsed = time.monotonic() - wall0
            cpu_self, cpu_children = cpu.read()
            written, dropped = recorder.frames_grabbed, recorder.frames_dropped
            pictures = (
                None if isinstance(browser, SessionBrowser) else browser.frames_received - pictures0
            )
            grab_ms = recorder.grab_seconds / max(1, written) * 1000
            busy = None
            if not isinstance(browser, SessionBrowser):
                # The screencast's own ceiling: a corner of the page changed on every
                # animation frame for a few seconds more (the live room's stream has 10).
                js(browser, BUSY_JS)
                spin(1.0)
                busy0, t0 = browser.frames_received, time.monotonic()
                spin(BUSY_S)
                busy = (browser.frames_received - busy0) / (time.monotonic() - t0)
                js(browser, "document.getElementById('qz-bench-busy').remove()")
            segments = recorder.stop()
            sealed = sum(s.frames for s in segments)
            rec: dict[str, Any] = {
                "seconds": elapsed,
                "written": written,
                "dropped": dropped,
                "dropped_share": dropped / max(1, written + dropped),
                "fps": written / elapsed,
                "source_fps": None if pictures is None else pictures / elapsed,
                "busy_source_fps": busy,
                "grab_ms": grab_ms,
                "p50": probe.percentile(50),
                "p99": probe.percentile(99),
                "cpu_self": cpu_self,
                "cpu_children": cpu_children,
                "cpu_total": cpu_self + cpu_children,
                "segments": len(segments),
                "sealed_frames": sealed,
                "size": [segments[0].width, segments[0].height] if segments else [0, 0],
            }
            result["recording"] = rec
            print(
                f"{name}: recorded {elapsed:.0f} s at {FPS} fps, {rec['size'][0]}×"
                f"{rec['size'][1]}: {written} frames written, {dropped} dropped "
                f"({rec['dropped_share']:.1%}), achieved {rec['fps']:.2f} fps, grab "
                f"{grab_ms:.1f} ms/frame"
                + (
                    f", {rec['source_fps']:.1f} screencast pictures/s"
                    if pictures is not None
                    else ""
                ),
                flush=True,
            )
            print(
                f"{name}: while recording: event-loop lateness p50 {rec['p50']:.1f} ms, p99 "
                f"{rec['p99']:.1f} ms; CPU {rec['cpu_total']:.2f} cores (this process "
                f"{cpu_self:.2f}, children {cpu_children:.2f}); {len(segments)} segment(s) "
                f"sealed, {sealed} frames",
                flush=True,
            )
            if busy is not None:
                print(
                    f"{name}: a page changing on every animation frame: {busy:.1f} screencast "
                    "pictures/s",
                    flush=True,
                )
            if sealed != recorder.frames_grabbed:
                checks.append(f"{recorder.frames_grabbed} frames written but {sealed} sealed")
            if len(segments) < max(1, int(elapsed // SEGMENT)):
                checks.append(f"only {len(segments)} segment(s) sealed in {elapsed:.0f} s")

            # (3) full page of the long page: cold (right after a first load, the cache
            # cleared) and warm (the loaded page again), each run printed, medians judged
            long_url = next(p.url for p in manifest.pages if p.kind == "long")
            incomplete: list[int] = []

            def capture() -> tuple[float, int, int, Any]:
                box: list[Outcome[Any]] = []
                requests = len(browser.navlog.requests)
                t0 = time.monotonic()
                session.full_page(box.append)
                if not wait_until(lambda: bool(box), 120):
                    raise RuntimeError("the full-page capture did not finish in 120 s")
                took = time.monotonic() - t0
                done = box[0].unwrap()
                loaded = len(browser.navlog.requests) - requests
                png = case.store.blob_path(done.record.entry["items"][0]["sha256"])
                if blank_bands(png, HEIGHT):
                    incomplete.append(done.record.seq)
                if VERBOSE:
                    print(f"{name}: waits", json.dumps(done.record.entry["data"]["parts"]))
                return took, int(done.record.entry["data"]["render_ms"]), loaded, done

            cold: list[tuple[float, int, int]] = []
            warm: list[float] = []
            done: Any = None
            for _ in range(COLD_RUNS):
                forget_page(browser)
                load(browser, long_url)
                took, render_ms, loaded, done = capture()
                cold.append((took, render_ms, loaded))
                warm.append(capture()[0])
            height = int(done.record.entry["data"]["image"]["height"])
            fp = {
                "height": height,
                "cold": [t for t, _, _ in cold],
                "warm": warm,
                "cold_median": statistics.median(t for t, _, _ in cold),
                "warm_median": statistics.median(warm),
                "whole": 2 * COLD_RUNS - len(incomplete),
            }
            result["full_page"] = fp
            runs = ", ".join(f"{t:.2f} s ({n} lazy resources loaded)" for t, _, n in cold)
            print(
                f"{name}: full page {height} px, cold: {runs}; median {fp['cold_median']:.2f} s",
                flush=True,
            )
            print(
                f"{name}: full page, warm: {', '.join(f'{t:.2f} s' for t in warm)}; median "
                f"{fp['warm_median']:.2f} s; {fp['whole']} of {2 * COLD_RUNS} pictures whole",
                flush=True,
            )
            if incomplete:
                checks.append(f"full page: entries {incomplete} grabbed before fully drawn")
        finally:
            session.stop_capture()
            browser.shutdown()
            summary = session.finish([lead, second])
        print(f"{name}: session closed: {len(summary.records)} entries sealed", flush=True)
        if summary.error is not None:
            checks.append(f"session error: {summary.error.message_en}")
    result["checks"] = checks
    out = os.environ.get(RESULT_ENV)
    if out:
        Path(out).write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.exit(child(sys.argv[sys.argv.index("--child") + 1]))
    sys.exit(main())

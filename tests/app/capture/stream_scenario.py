"""The live-room capture scenario of ``test_stream_e2e``, run in a child process:
``python -m tests.app.capture.stream_scenario CONFIG``.

A headless session records the range's live room (HTTP-FLV player, WebSocket chat) with
short traffic segments (``config["period_s"]``), reloads the room halfway (a player
reconnecting: the first FLV response ends, a second one starts), and closes with two
officers. What the parent checks is in the case; the result names the session.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from tests.app.capture.scenarios import Env, _options, load, wait_until


def live_room(env: Env) -> None:
    from app.capture.browser import configure_chromium, ensure_application
    from app.capture.session import CaptureSession
    from app.installation import Installation
    from forensics.case import Case
    from forensics.range import LIVE_HOST, RangeServer

    config = env.config
    period_s = float(config["period_s"])
    watch_s = float(config["watch_s"])
    with (
        RangeServer(Path(config["range_dir"]), seed=2026) as server,
        Case.open(env.home, config["case_id"]) as case,
    ):
        room = server.manifest.url(LIVE_HOST, f"/room/{server.content.stream.room_id}")
        options = dataclasses.replace(
            _options(env, server, (room,), fps=5, segment=period_s),
            traffic_segment_seconds=period_s,
            sound=False,
        )
        session = CaptureSession(Installation(env.home), case, env.signers[0], options=options)
        session.start()
        configure_chromium(session.browser_config)
        ensure_application()
        browser = session.open_browser()
        results: dict[str, Any] = {"room": room}
        try:
            recorder = session.start_recording()
            load(browser, room)
            wait_until(lambda: recorder.elapsed_us() >= watch_s / 2 * 1e6, watch_s * 2)
            load(browser, room)  # the player reconnects: a second FLV response
            wait_until(lambda: recorder.elapsed_us() >= watch_s * 1e6, watch_s * 2)
            results["flv_viewers_at_end"] = server.flv_viewers
        finally:
            session.stop_capture()
            browser.shutdown()
            summary = session.finish(env.signers, tsa=env.tsa)
        results["session"] = summary.session
        results["error"] = summary.error.message_en if summary.error else None
        results["warnings"] = summary.warnings
        env.result = results


def main() -> int:
    env = Env(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    live_room(env)
    env.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())

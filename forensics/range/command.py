"""``quzheng range serve [--port P]``: run the practice range until Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from forensics.range.content import API_HOST, DOMAIN, IMG_HOST, LIVE_HOST, SHOP_HOST
from forensics.range.server import RangeServer


def serve(port: int, data_dir: Path, seed: int, *, out: TextIO | None = None) -> int:
    """Serve the range on 127.0.0.1:``port`` (0 = any free port) until interrupted.

    Raises ``RangeError`` if it cannot start (e.g. the port is taken).
    """
    out = out or sys.stdout
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Signal handlers can only be set from the main thread; elsewhere Ctrl-C still
    # arrives as KeyboardInterrupt in the main thread's caller.
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        with RangeServer(Path(data_dir), seed=seed, port=port) as server:
            manifest = server.manifest
            room = manifest.content.stream.room_id
            lines = [
                f"演练靶场已启动 / Practice range running on {server.host}:{server.port}",
                f"  网店 Shop:       {server.url(SHOP_HOST, '/')}",
                f"  营业执照 Licence: {server.url(SHOP_HOST, '/licence')}",
                f"  直播间 Live room: {server.url(LIVE_HOST, f'/room/{room}')}",
                f"  HLS 直播流 HLS:   {server.url(LIVE_HOST, '/hls/live.m3u8')}",
                f"  接口 API:        {server.url(API_HOST, '/v1/shop')}",
                f"  图片 Images:     {server.url(IMG_HOST, '/logo.png')}",
                f"  根证书 Range CA:  {server.ca_cert_path}",
                f"  清单 Manifest:   {server.data_dir / 'manifest.json'}",
                f"  测试账号 Test account: {manifest.content.accounts[0].username} / "
                f"{manifest.content.accounts[0].password}",
                f"名称 *.{DOMAIN} 需解析到 {server.host}（录制代理会自动处理）/ "
                f"*.range.test must resolve to {server.host} (the recording proxy does this)",
                "按 Ctrl-C 停止 / Press Ctrl-C to stop",
            ]
            print("\n".join(lines), file=out, flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while not stop.wait(0.5):
                    pass
        print("演练靶场已停止 / Practice range stopped", file=out, flush=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0

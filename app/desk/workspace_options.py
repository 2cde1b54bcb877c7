"""The capture workspace's ``CaptureOptions``: built in the workspace child from the
installation's settings (video segment length, NTP servers, echo services, proxy port, the
capture browser) and the launch ``WorkspaceConfig`` (the practice-range mapping when the
officer trains on the range).

The officer works in the capture browser's own window; only where no window can be shown
(no display, or Qt's ``offscreen`` platform) does the browser run headless, and the
workspace's preview is then the only view of the page (``needs_headless``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.capture.envcheck import default_env_check
from app.capture.options import CaptureOptions
from app.capture.recorder import VideoSettings
from app.desk.workspace_protocol import WorkspaceConfig
from app.installation import Installation
from forensics.environment import Resolver


def range_resolver(domain: str) -> Resolver:
    """Practice-range names resolve where the proxy sends them (127.0.0.1); others via DNS."""
    import socket

    def resolve(host: str) -> list[str]:
        if host == domain or host.endswith("." + domain):
            return ["127.0.0.1"]
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        return sorted({str(i[4][0]) for i in infos})

    return resolve


# Qt platforms that draw nowhere a person could see.
NO_SCREEN_PLATFORMS = ("offscreen", "minimal")


def needs_headless(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when no browser window can be shown: Qt draws offscreen (``QT_QPA_PLATFORM``),
    or Linux (and other X11/Wayland systems) without ``DISPLAY`` and ``WAYLAND_DISPLAY``.
    Windows and macOS always have a screen for a desktop program."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa in NO_SCREEN_PLATFORMS:
        return True
    if platform.startswith(("win", "darwin")):
        return False
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def capture_options(
    inst: Installation,
    config: WorkspaceConfig,
    *,
    targets: Sequence[str] = (),
    fps: int | None = None,
    env_check: Callable[..., Any] | None = None,
) -> CaptureOptions:
    """Options for the workspace's session, from the settings and the launch config."""
    map_hosts: dict[str, str] = {}
    upstream: tuple[Path, ...] = ()
    resolver: Resolver | None = None
    practice_domain: str | None = None
    if config.practice_range_port is not None:
        from app.capture.headless import practice_range_mapping
        from forensics.range import DOMAIN

        hosts, cas = practice_range_mapping(inst.home / "range", config.practice_range_port)
        map_hosts, upstream, resolver = hosts, tuple(cas), range_resolver(DOMAIN)
        practice_domain = DOMAIN
    segment = float(int(inst.setting("video.segment_seconds")))
    video = (
        VideoSettings(segment_seconds=segment, fps=fps)
        if fps
        else VideoSettings(segment_seconds=segment)
    )
    wanted = [*targets] or ([config.target_url] if config.target_url else [])
    engine, path = inst.browser_choice()
    return CaptureOptions(
        targets=tuple(wanted),
        map_hosts=map_hosts,
        upstream_cas=upstream,
        video=video,
        env_check=env_check or default_env_check(inst, resolver, practice_domain=practice_domain),
        proxy_port=inst.proxy_port(),
        browser=engine,
        browser_path=path,
        headless=needs_headless(),
    )

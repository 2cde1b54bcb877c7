"""The capture workspace's ``CaptureOptions``: built in the workspace child from the
installation's settings (video segment length, NTP servers, echo services, proxy port) and
the launch ``WorkspaceConfig`` (the practice-range mapping when the officer trains on the
range)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    if config.practice_range_port is not None:
        from app.capture.headless import practice_range_mapping
        from forensics.range import DOMAIN

        hosts, cas = practice_range_mapping(inst.home / "range", config.practice_range_port)
        map_hosts, upstream, resolver = hosts, tuple(cas), range_resolver(DOMAIN)
    segment = float(int(inst.setting("video.segment_seconds")))
    video = (
        VideoSettings(segment_seconds=segment, fps=fps)
        if fps
        else VideoSettings(segment_seconds=segment)
    )
    wanted = [*targets] or ([config.target_url] if config.target_url else [])
    return CaptureOptions(
        targets=tuple(wanted),
        map_hosts=map_hosts,
        upstream_cas=upstream,
        video=video,
        env_check=env_check or default_env_check(inst, resolver),
        proxy_port=inst.proxy_port(),
    )

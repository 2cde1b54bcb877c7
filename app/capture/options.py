"""What a capture session is given: its options (``CaptureOptions``) and, checked before
capture starts, the officers who will close it (``validate_signers``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.capture.envcheck import EnvCheck
from app.capture.recorder import VideoSettings
from forensics.capture.warc import DEFAULT_SEGMENT_SECONDS
from forensics.case import Case
from forensics.errors import InputError, PolicyError
from forensics.identity import Signer


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
    # The capture browser (``app.capture.engines``): "auto", "chromium" or "qtwebengine";
    # a configured Chromium-family program (setting "browser.path"); headless (quzheng
    # capture, the demo) or a window the officer works in (the GUI); its size.
    browser: str = "auto"
    # Record the browser's sound with the picture where the system allows it
    # (``app.capture.sound``).
    sound: bool = True
    browser_path: str | None = None
    headless: bool = True
    window: tuple[int, int] = (1280, 800)


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

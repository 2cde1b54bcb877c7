"""The capture workspace runs in a process of its own.

Why: Qt WebEngine reads its proxy and trust flags once per process, when the Qt
application starts (``app.capture.browser``), and the recording proxy's port and CA are
known only once the proxy runs. So the main window starts ``python -m ui.workspace``
(``WorkspaceProcess``), hands it the lead officer's passphrase on stdin (never on the
command line or in the environment), and follows it through one JSON object per line on
its stdout (``event_line`` / ``parse_event``):

    {"event": "starting"}                        proxy, session.start, clean-environment check
    {"event": "ready", "session": "…"}           the workspace window is up
    {"event": "sealed", "seq": 12, "kind": "…", "hash": "…"}
    {"event": "failed", "en": "…", "zh": "…"}    capture stopped (proxy died, disk full…)
    {"event": "closed", "session": "…", "pending": 0}
    {"event": "error", "en": "…", "zh": "…"}     the session could not start

The child builds its ``CaptureOptions`` with ``capture_options`` from the installation's
settings (video segment length, NTP servers, echo services) and the practice-range
mapping when the officer trains on the range.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QProcess, QProcessEnvironment, Signal

from app import frozen, settings
from app.capture.recorder import VideoSettings
from app.capture.session import CaptureOptions
from forensics.environment import DEFAULT_ECHO_URLS, Resolver, snapshot
from forensics.errors import InputError

PROTOCOL = 1


@dataclass(frozen=True)
class WorkspaceConfig:
    case_id: str
    badge: str  # the session lead (already unlocked by the main window)
    target_url: str = ""
    practice_range_port: int | None = None  # training on the practice range
    lang: str = "zh_CN"

    def to_json(self) -> str:
        return json.dumps({"protocol": PROTOCOL, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> WorkspaceConfig:
        try:
            raw = json.loads(text)
            if raw.get("protocol") != PROTOCOL:
                raise ValueError("protocol")
            port = raw.get("practice_range_port")
            return cls(
                str(raw["case_id"]),
                str(raw["badge"]),
                str(raw.get("target_url", "")),
                int(port) if port is not None else None,
                str(raw.get("lang", "zh_CN")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"bad workspace configuration ({exc})", f"取证工作区配置有误（{exc}）"
            ) from None


def event_line(event: str, **fields: Any) -> str:
    return json.dumps({"event": event, **fields}, ensure_ascii=False)


def parse_event(line: str) -> dict[str, Any] | None:
    """A protocol event, or None for any other output line."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    return raw if isinstance(raw, dict) and isinstance(raw.get("event"), str) else None


# -- the child's capture options ----------------------------------------------------------


def _csv(value: object) -> list[str]:
    return [x.strip() for x in str(value).split(",") if x.strip()]


def env_check_from_settings(
    home: Path, resolver: Resolver | None = None, timeout: float = 3.0
) -> Any:
    """The clean-environment check with this installation's NTP servers and echo services
    (``env.echo_urls``; the built-in list when empty), as ``quzheng env check`` runs it."""
    ntp = _csv(settings.get(home, "ntp.servers"))
    echo = _csv(settings.get(home, "env.echo_urls")) or list(DEFAULT_ECHO_URLS)

    def check(targets: Sequence[str], disclosure: Mapping[str, object], profile_dir: Path) -> Any:
        return snapshot(
            targets,
            ntp_servers=ntp,
            echo_urls=echo,
            browser_profile=profile_dir,
            proxy_disclosure=disclosure,
            resolver=resolver,
            timeout=timeout,
        )

    return check


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
    home: Path,
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

        hosts, cas = practice_range_mapping(home / "range", config.practice_range_port)
        map_hosts, upstream, resolver = hosts, tuple(cas), range_resolver(DOMAIN)
    segment = float(int(settings.get(home, "video.segment_seconds")))
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
        env_check=env_check or env_check_from_settings(home, resolver),
        proxy_port=settings.proxy_port(home),
    )


# -- the parent's side --------------------------------------------------------------------


def workspace_command(module: str = "ui.workspace") -> list[str]:
    if module == "ui.workspace":
        return frozen.workspace_command()  # the frozen program starts itself
    return [sys.executable, "-m", module]


class WorkspaceProcess(QObject):
    """The main window's handle on a running workspace."""

    reported = Signal(dict)  # one protocol event
    finished = Signal(int, str)  # exit code, the end of its stderr

    def __init__(self, command: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.command = list(command)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.readyReadStandardError.connect(self._read_err)
        self.process.finished.connect(self._finished)
        self._buffer = b""
        self._stderr = b""
        self.events: list[dict[str, Any]] = []
        self.config: WorkspaceConfig | None = None

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, config: WorkspaceConfig, passphrase: str, env: Mapping[str, str] = {}) -> None:
        self.config = config
        penv = QProcessEnvironment.systemEnvironment()
        for key, value in env.items():
            penv.insert(key, value)
        root = str(Path(__file__).resolve().parents[2])
        penv.insert("PYTHONPATH", os.pathsep.join(p for p in (root, penv.value("PYTHONPATH")) if p))
        self.process.setProcessEnvironment(penv)
        self.process.start(self.command[0], [*self.command[1:], "--stdin"])
        secret = json.dumps({"config": json.loads(config.to_json()), "passphrase": passphrase})
        self.process.write(QByteArray((secret + "\n").encode("utf-8")))
        self.process.closeWriteChannel()

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            ev = parse_event(raw.decode("utf-8", "replace"))
            if ev is not None:
                self.events.append(ev)
                self.reported.emit(ev)

    def _read_err(self) -> None:
        self._stderr = (self._stderr + bytes(self.process.readAllStandardError().data()))[-8000:]

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read()
        self._read_err()
        self.finished.emit(int(code), self._stderr.decode("utf-8", "replace"))

    def kill(self) -> None:
        if self.running:
            self.process.kill()
            self.process.waitForFinished(5000)

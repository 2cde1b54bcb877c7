"""The browser's sound, for the screen recording (what the anchor **said** is evidence).

Where the operating system lets the tool take the capture browser's sound, the recording
carries it as an AAC track beside the picture:

- Linux: a private PulseAudio server of the session's own (``pulseaudio`` and ``parec``
  from the distribution; PipeWire systems ship both through ``pipewire-pulse``), with one
  null sink. Only the capture browser plays into it (``PULSE_SERVER``/``PULSE_SINK`` in
  the browser's environment), so the track holds the browser's sound and nothing else —
  no notification, no officer's music — and nothing is played aloud by it. Its socket is in
  a folder only this user can enter.
- Windows: WASAPI loopback of the default output device (the ``soundcard`` package when
  installed). Windows gives no per-program stream to a tool like this one, so the track is
  everything the computer plays; the session record says so.
- macOS: the system offers no loopback without installing a virtual audio device; the
  recording has no sound and the session record says why.

``sound_backend`` (pure: operating system, what is installed) decides; ``open_sound``
starts the chosen source. A source delivers signed 16-bit little-endian stereo PCM at
48 kHz in chunks, each with the monotonic time at which it was read, to one callback (on a
reader thread). When no sound can be captured the session goes on without it and says so:
the picture is still the evidence it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from forensics.childenv import child_environment
from forensics.errors import CaptureError

logger = logging.getLogger(__name__)

RATE: Final = 48_000
CHANNELS: Final = 2
SAMPLE_BYTES: Final = 2
CHUNK_SECONDS: Final = 0.05
CHUNK_BYTES: Final = int(RATE * CHUNK_SECONDS) * CHANNELS * SAMPLE_BYTES
SINK: Final = "quzheng_capture"
START_TIMEOUT_S: Final = 10.0

Deliver = Callable[[bytes, float], None]  # (PCM, monotonic time when read)


@dataclass(frozen=True)
class SoundPlan:
    """What ``session.start`` says about the recording's sound."""

    backend: str | None  # "pulseaudio-private-sink", "wasapi-loopback", None: no sound
    what_en: str
    what_zh: str

    def record(self) -> dict[str, Any]:
        return {
            "captured": self.backend is not None,
            "backend": self.backend or "",
            "what": self.what_en,
            "what_zh": self.what_zh,
            **({"format": f"AAC {RATE} Hz stereo"} if self.backend else {}),
        }


def sound_backend(
    os_name: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    importable: Callable[[str], bool] | None = None,
) -> SoundPlan:
    """How this machine's browser sound can be captured (pure but for the lookups)."""
    osn = os_name or (
        "windows" if os.name == "nt" else "macos" if sys.platform == "darwin" else "linux"
    )
    if importable is None:
        importable = _importable
    if osn == "linux":
        missing = [p for p in ("pulseaudio", "parec") if which(p) is None]
        if not missing:
            return SoundPlan(
                "pulseaudio-private-sink",
                "the capture browser's own sound only (a private PulseAudio sink it plays into)",
                "仅取证浏览器自身的声音（浏览器播放到的专用 PulseAudio 声道）",
            )
        return SoundPlan(
            None,
            f"no sound: {', '.join(missing)} not installed (apt-get install pulseaudio "
            "pulseaudio-utils)",
            f"无声音：未安装 {'、'.join(missing)}（apt-get install pulseaudio pulseaudio-utils）",
        )
    if osn == "windows":
        if importable("soundcard"):
            return SoundPlan(
                "wasapi-loopback",
                "everything the computer plays (WASAPI loopback of the default output; "
                "Windows gives no per-program stream)",
                "计算机播放的全部声音（默认输出设备的 WASAPI 环回；Windows 不提供单个程序的声音流）",
            )
        return SoundPlan(
            None,
            "no sound: the soundcard package is not installed",
            "无声音：未安装 soundcard 组件",
        )
    return SoundPlan(
        None,
        "no sound: macOS offers no loopback without a virtual audio device",
        "无声音：macOS 未安装虚拟音频设备时无法录制系统声音",
    )


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


class SoundSource(Protocol):
    def browser_env(self) -> Mapping[str, str]: ...

    def start(self, deliver: Deliver) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def pulse_server_args(socket: Path) -> list[str]:
    """A PulseAudio server with no configuration but ours: one null sink, one socket."""
    return [
        "-n",  # no default.pa: nothing but the modules below
        "--daemonize=no",
        "--exit-idle-time=-1",
        "--use-pid-file=no",
        "--system=no",
        "--disable-shm=yes",
        "--log-target=stderr",
        "-L",
        f"module-native-protocol-unix socket={socket} auth-anonymous=1",
        "-L",
        f"module-null-sink sink_name={SINK} rate={RATE} channels={CHANNELS}",
    ]


def parec_args(socket: Path) -> list[str]:
    return [
        "-s",
        f"unix:{socket}",
        "-d",
        f"{SINK}.monitor",
        "--format=s16le",
        f"--rate={RATE}",
        f"--channels={CHANNELS}",
        "--raw",
        f"--latency-msec={int(CHUNK_SECONDS * 1000)}",
    ]


class PrivatePulse:
    """A PulseAudio server of the session's own, with the browser's sink (Linux)."""

    def __init__(self, pulseaudio: str = "pulseaudio", parec: str = "parec") -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="quzheng-sound-"))
        os.chmod(self._dir, 0o700)
        self.socket = self._dir / "native"
        env = child_environment()
        env.update(XDG_RUNTIME_DIR=str(self._dir), HOME=str(self._dir))
        env.pop("PULSE_SERVER", None)
        self._env = env
        self._parec = parec
        self._reader: threading.Thread | None = None
        self._rec: subprocess.Popen[bytes] | None = None
        self._server = subprocess.Popen(
            [pulseaudio, *pulse_server_args(self.socket)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.socket.exists():
            if self._server.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CaptureError(
                    "The private sound server for the recording did not start.",
                    "录像用的专用声音服务未能启动。",
                )
            time.sleep(0.02)

    def browser_env(self) -> Mapping[str, str]:
        return {"PULSE_SERVER": f"unix:{self.socket}", "PULSE_SINK": SINK}

    def start(self, deliver: Deliver) -> None:
        if self._rec is not None:
            return
        rec = subprocess.Popen(
            [self._parec, *parec_args(self.socket)],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._rec = rec
        stdout = rec.stdout
        assert stdout is not None

        def read() -> None:
            while True:
                data = stdout.read(CHUNK_BYTES)
                if not data:
                    return
                deliver(data, time.monotonic())

        self._reader = threading.Thread(target=read, name="sound-reader", daemon=True)
        self._reader.start()

    def stop(self) -> None:
        rec, self._rec = self._rec, None
        if rec is not None:
            rec.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                rec.wait(5)
            if rec.poll() is None:
                rec.kill()
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None
        if rec is not None and rec.stdout is not None:
            rec.stdout.close()

    def close(self) -> None:
        self.stop()
        if self._server.poll() is None:
            self._server.terminate()
            try:
                self._server.wait(5)
            except subprocess.TimeoutExpired:
                self._server.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


class WasapiLoopback:  # pragma: no cover - Windows only; the plan and format are tested
    """WASAPI loopback of the default output device (Windows), through ``soundcard``."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def browser_env(self) -> Mapping[str, str]:
        return {}

    def start(self, deliver: Deliver) -> None:
        import soundcard  # type: ignore[import-not-found]

        speaker = soundcard.default_speaker()
        mic = soundcard.get_microphone(speaker.name, include_loopback=True)
        frames = int(RATE * CHUNK_SECONDS)

        def read() -> None:
            with mic.recorder(samplerate=RATE, channels=CHANNELS) as rec:
                while not self._stop.is_set():
                    data = rec.record(numframes=frames)
                    deliver(float_to_s16(data.tobytes()), time.monotonic())

        self._thread = threading.Thread(target=read, name="sound-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def close(self) -> None:
        self.stop()


def float_to_s16(data: bytes) -> bytes:
    """32-bit float samples (what WASAPI loopback gives) as 16-bit signed, clipped."""
    import array

    floats = array.array("f")
    floats.frombytes(data)
    out = array.array("h", (max(-32768, min(32767, int(x * 32767))) for x in floats))
    return out.tobytes()


def open_sound(plan: SoundPlan) -> SoundSource | None:
    """Start the plan's source (None when the plan has none)."""
    if plan.backend == "pulseaudio-private-sink":
        return PrivatePulse()
    if plan.backend == "wasapi-loopback":
        return WasapiLoopback()
    return None

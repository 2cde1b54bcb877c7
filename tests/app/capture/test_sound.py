"""The browser's sound for the recording (``app.capture.sound``): the plan per operating
system (Windows and macOS rules tested here on Linux), and the private PulseAudio sink for
real. The recording with sound is shown end to end in ``test_session_e2e.py``."""

from __future__ import annotations

import array
import math
import shutil
import struct
import subprocess
import threading
import time

import pytest

from app.capture import sound
from app.capture.sound import PrivatePulse, float_to_s16, parec_args, sound_backend


def test_linux_uses_a_private_sink_when_pulseaudio_is_installed() -> None:
    plan = sound_backend("linux", which=lambda name: f"/usr/bin/{name}")
    assert plan.backend == "pulseaudio-private-sink"
    assert plan.record()["captured"] is True and "own sound only" in plan.what_en
    missing = sound_backend("linux", which=lambda name: None if name == "parec" else "/x")
    assert missing.backend is None and "parec" in missing.what_en
    assert missing.record() == {
        "captured": False,
        "backend": "",
        "what": missing.what_en,
        "what_zh": missing.what_zh,
    }


def test_windows_uses_wasapi_loopback_and_says_it_is_everything() -> None:
    plan = sound_backend("windows", importable=lambda name: name == "soundcard")
    assert plan.backend == "wasapi-loopback" and "everything the computer plays" in plan.what_en
    assert sound_backend("windows", importable=lambda name: False).backend is None


def test_macos_has_no_loopback() -> None:
    plan = sound_backend("macos", which=lambda name: "/x", importable=lambda name: True)
    assert plan.backend is None and "macOS" in plan.what_en


def test_wasapi_float_samples_become_clipped_16_bit() -> None:
    floats = array.array("f", [0.0, 0.5, -0.5, 1.5, -2.0])
    assert list(array.array("h", float_to_s16(floats.tobytes()))) == [
        0,
        16383,
        -16383,
        32767,
        -32768,
    ]


def test_the_recorder_reads_the_sink_monitor_raw() -> None:
    from pathlib import Path

    args = parec_args(Path("/run/x/native"))
    assert f"{sound.SINK}.monitor" in args and "--raw" in args and "--format=s16le" in args


@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed")
def test_private_sink_carries_what_is_played_into_it() -> None:
    """A tone played into the private sink (as the browser plays into it) comes back from
    its monitor; nothing else can reach the sink (its socket is in a 0700 folder)."""
    pulse = PrivatePulse()
    chunks: list[bytes] = []
    try:
        env = pulse.browser_env()
        assert env["PULSE_SINK"] == sound.SINK and env["PULSE_SERVER"].startswith("unix:")
        assert oct(pulse.socket.parent.stat().st_mode & 0o777) == "0o700"
        pulse.start(lambda pcm, _t: chunks.append(pcm))
        tone = b"".join(
            struct.pack("<hh", v, v)
            for v in (int(9000 * math.sin(2 * math.pi * 660 * i / 48000)) for i in range(48000))
        )
        player = subprocess.Popen(
            ["pacat", "-s", env["PULSE_SERVER"].removeprefix("unix:"), "-d", sound.SINK,
             "--format=s16le", "--rate=48000", "--channels=2", "--raw"],
            stdin=subprocess.PIPE,
        )  # fmt: skip
        assert player.stdin is not None
        threading.Thread(target=lambda: (player.stdin.write(tone), player.stdin.close())).start()
        player.wait(20)
        time.sleep(0.3)
    finally:
        pulse.close()
    samples = array.array("h")
    data = b"".join(chunks)
    samples.frombytes(data[: len(data) // 2 * 2])
    assert samples and max(abs(x) for x in samples) > 5000
    assert not pulse.socket.exists()

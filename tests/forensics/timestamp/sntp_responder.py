"""SNTP responders on 127.0.0.1 with deliberately skewed clocks, for the clock-check tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

NTP_TO_UNIX = 2_208_988_800


def ntp_bytes(unix_seconds: float) -> bytes:
    whole = int(unix_seconds)
    fraction = int((unix_seconds - whole) * (1 << 32))
    return ((whole + NTP_TO_UNIX) % (1 << 32)).to_bytes(4, "big") + fraction.to_bytes(4, "big")


@contextlib.contextmanager
def sntp_responders() -> Iterator[Callable[..., str]]:
    """Start an SNTP responder whose clock runs ``skew`` seconds ahead of ours.
    ``mode`` "ok", "kiss" (stratum 0, RATE) or "wrong-cookie" (a spoofed answer)."""
    stops: list[tuple[threading.Event, threading.Thread, socket.socket]] = []

    def start(skew: float = 0.0, mode: str = "ok") -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.05)
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                try:
                    packet, peer = sock.recvfrom(512)
                except TimeoutError:
                    continue
                received = ntp_bytes(time.time() + skew)
                cookie = packet[40:48] if mode != "wrong-cookie" else bytes(8)
                stratum = 0 if mode == "kiss" else 2
                head = bytes([0x24, stratum, 6, 0xEC]) + bytes(8)
                ref_id = b"RATE" if mode == "kiss" else b"\x7f\x00\x00\x01"
                reply = head + ref_id + received + cookie + received
                sock.sendto(reply + ntp_bytes(time.time() + skew), peer)

        thread = threading.Thread(target=run)
        thread.start()
        stops.append((stop, thread, sock))
        return f"127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for stop, thread, sock in stops:
        stop.set()
        thread.join()
        sock.close()

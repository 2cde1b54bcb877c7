"""The practice range for the windows: started by the program when a training session or an
exercise needs it and stopped when nothing needs it any more, so training never needs a
terminal (``quzheng range serve`` still works: a range already answering on the port is used
as it is and never stopped from here).

The officer's last choice of "Training on the practice range" is remembered in
``<data home>/practice.json`` (a window preference, not evidence).

``acquire`` starts the range (TLS material and pages are made on the first start): call it
through ``run_task``, never on the GUI thread.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.installation import Installation
from app.jsonfile import read_json, write_json

if TYPE_CHECKING:
    from forensics.range import RangeServer

DEFAULT_PORT = 8443
RANGE_SEED = 2026  # the seed ``quzheng range serve`` uses by default
PREFS_FILE = "practice.json"
SHOP_URL = "https://shop.range.test/"  # where a training session starts by default


def range_dir(inst: Installation) -> Path:
    """Where the range keeps its CA and pages (the folder ``quzheng range serve`` uses)."""
    return inst.home / "range"


def is_range_url(url: str) -> bool:
    """Whether ``url`` points into the practice range (``*.range.test``)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    return host == "range.test" or host.endswith(".range.test")


@dataclass(frozen=True)
class PracticePrefs:
    use: bool | None  # None: never chosen (a training case then trains on the range)
    port: int


def load_prefs(inst: Installation) -> PracticePrefs:
    raw = read_json(inst.home / PREFS_FILE, "practice-range settings file", "练习靶场设置文件")
    raw = raw if isinstance(raw, dict) else {}
    use = raw.get("use")
    port = raw.get("port")
    return PracticePrefs(
        use if isinstance(use, bool) else None,
        port if isinstance(port, int) and 0 < port < 65536 else DEFAULT_PORT,
    )


def save_prefs(inst: Installation, use: bool, port: int) -> None:
    write_json(inst.home / PREFS_FILE, {"format": 1, "use": use, "port": port})


def range_answers(inst: Installation, port: int, timeout: float = 2.0) -> bool:
    """Whether the practice range of this data home answers on 127.0.0.1:``port``: a TLS
    handshake for its shop, checked against its own CA (a stranger on the port fails it)."""
    from forensics.range.tls import CA_CERT_NAME

    ca = range_dir(inst) / "tls" / CA_CERT_NAME
    if not ca.is_file():
        return False
    try:
        context = ssl.create_default_context(cafile=str(ca))
        with (
            socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname="shop.range.test"),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


class PracticeRange:
    """The range this program runs for the sessions and exercises that need it."""

    def __init__(self, inst: Installation) -> None:
        self.inst = inst
        self.server: RangeServer | None = None
        self.port: int | None = None
        self._users: set[str] = set()
        self._lock = threading.Lock()

    @property
    def started_here(self) -> bool:
        return self.server is not None

    def users(self) -> set[str]:
        with self._lock:
            return set(self._users)

    def acquire(self, user: str, port: int | None = None) -> int:
        """Make sure the range answers (starting it here if needed) for ``user`` (a session
        or an exercise); returns its port. Raises ``RangeError`` when it cannot start (say,
        another program holds the port)."""
        from forensics.range import RangeServer

        with self._lock:
            if self.server is None:
                wanted = port or self.port or load_prefs(self.inst).port
                if not range_answers(self.inst, wanted):
                    server = RangeServer(range_dir(self.inst), seed=RANGE_SEED, port=wanted)
                    server.start()
                    self.server = server
                self.port = wanted
            self._users.add(user)
            assert self.port is not None
            return self.port

    def release(self, user: str) -> bool:
        """``user`` no longer needs the range; the range started here stops when nobody
        does. Returns whether it stopped."""
        with self._lock:
            self._users.discard(user)
            if self._users or self.server is None:
                return False
            server, self.server = self.server, None
        with contextlib.suppress(Exception):  # stopping must not fail the caller
            server.stop()
        return True

    def shutdown(self) -> None:
        """Stop the range started here, whoever still uses it (the program is closing)."""
        with self._lock:
            self._users.clear()
        self.release("")

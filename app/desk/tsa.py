"""The built-in time-stamp authority for training installations.

A training installation (chosen in the first-run wizard) points ``tsa.urls`` at
``http://127.0.0.1:<port>/`` and trusts the built-in TSA's root; the desktop app then
serves that TSA while it runs (the same one ``quzheng tsa serve`` runs). Casework uses the
configured external TSAs instead; nothing is started then.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Final
from urllib.parse import urlsplit

from app.installation import Installation
from forensics.errors import QuzhengError
from forensics.timestamp import TsaIdentity, TsaServer, create_tsa_identity

logger = logging.getLogger(__name__)

DEFAULT_PORT: Final = 3161


def builtin_tsa_url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}/"


def ensure_builtin_identity(inst: Installation) -> TsaIdentity:
    return create_tsa_identity(inst.home / "tsa")


def builtin_port(inst: Installation) -> int | None:
    """The loopback port of the built-in TSA when ``tsa.urls`` names it, else None."""
    if not (inst.home / "tsa").is_dir():
        return None
    for url in inst.setting_list("tsa.urls"):
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port:
            return parts.port
    return None


class BuiltinTsa:
    """Serves the built-in TSA while the app runs, when the settings ask for it."""

    def __init__(self, inst: Installation) -> None:
        self.inst = inst
        self.server: TsaServer | None = None
        self.error: str = ""

    def start(self) -> bool:
        port = builtin_port(self.inst)
        if port is None:
            return False
        server = TsaServer(self.inst.home / "tsa", port=port)
        try:
            server.start()
        except (QuzhengError, OSError) as exc:
            # Another process (e.g. 'quzheng tsa serve') may already serve it: seals queue
            # otherwise, and the status bar shows the queue.
            self.error = str(exc)
            logger.warning("built-in TSA not started: %s", exc)
            return False
        self.server = server
        return True

    def stop(self) -> None:
        if self.server is not None:
            with contextlib.suppress(Exception):
                self.server.stop()
            self.server = None

"""Where Quzheng keeps its data. Resolved when asked (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_home() -> Path:
    """``QUZHENG_HOME`` when set (tests point it at a temporary folder), else the OS default."""
    env = os.environ.get("QUZHENG_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("quzheng", appauthor=False))


def cases_home(home: Path) -> Path:
    """Where cases are kept: the ``data.dir`` setting when set, else the data home itself.

    Identities, trust anchors and settings stay in the data home; only cases move.
    """
    from app import settings  # settings reads files under ``home``; import when asked

    configured = str(settings.get(home, "data.dir")).strip()
    return Path(configured).expanduser() if configured else home

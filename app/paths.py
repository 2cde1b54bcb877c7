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

"""Where Quzheng keeps its data, and keeping it its owner's alone. Resolved when asked
(never at import time).

The data home and everything in it belong to the officer's account alone: folders 0700,
files 0600, sealed blobs 0400. The program sets the umask 077 when it starts
(``ui/entry.py``) and the core creates with explicit modes; ``secure_home`` makes a missing
home 0700 and tightens a home written by an earlier version once (it clears the group and
other bits of everything in it and records that in ``.perm-v1``). On Windows the home lives
in the per-user profile (``%LOCALAPPDATA%``), whose ACL already admits its owner only
(and the administrators and SYSTEM); there is nothing to tighten.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import platformdirs

from forensics.atomic import make_private_dir, write_atomic

PERM_MARKER = ".perm-v1"
_log = logging.getLogger(__name__)


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


def tighten_tree(root: Path) -> int:
    """Clear the group and other permission bits of ``root`` and of everything below it
    (folders become 0700, files 0600, read-only blobs 0400). Symbolic links are neither
    followed nor changed; what cannot be changed is logged and skipped. Returns how many
    entries were changed."""
    changed = 0

    def tighten(path: str) -> None:
        nonlocal changed
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                return
            mode = stat.S_IMODE(st.st_mode)
            if mode & 0o077:
                os.chmod(path, mode & ~0o077)
                changed += 1
        except OSError as exc:
            _log.warning("cannot make %s private: %s", path, exc.strerror)

    tighten(str(root))
    for top, dirs, files in os.walk(root, followlinks=False, onerror=lambda _exc: None):
        for name in (*dirs, *files):
            tighten(os.path.join(top, name))
    return changed


def _tightened(home: Path) -> list[str]:
    try:
        raw = json.loads((home / PERM_MARKER).read_text(encoding="utf-8"))
        roots = raw["tightened"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []


def secure_home(home: Path, extra_roots: tuple[Path, ...] = ()) -> None:
    """Create ``home`` owner-only when it is missing; the first time a home (or one of
    ``extra_roots``, such as a ``data.dir`` folder's ``cases/``) is seen, take the group's and
    others' access to everything in it. Never fails: a home that cannot be created or changed
    is left to whoever uses it next."""
    if os.name == "nt":
        return  # the per-user profile's ACL already keeps others out
    try:
        make_private_dir(home)
    except OSError as exc:
        _log.warning("cannot create the data home %s: %s", home, exc.strerror)
        return
    done = _tightened(home)
    roots = [home, *(r for r in extra_roots if r.is_dir())]
    todo = [r for r in roots if str(r.absolute()) not in done]
    if not todo:
        return
    for root in todo:
        n = tighten_tree(root)
        if n:
            _log.info("made %d entries under %s private (owner only)", n, root)
    record = {"format": 1, "tightened": [*done, *(str(r.absolute()) for r in todo)]}
    try:
        write_atomic(home / PERM_MARKER, json.dumps(record, indent=2) + "\n", private=True)
    except OSError as exc:
        _log.warning("cannot record that %s is private: %s", home, exc.strerror)

"""What the processes we start may see of our environment: everything but secrets.

The recording proxy parses hostile traffic and the browser's processes render hostile pages;
neither needs an officer's passphrase, a package password or any other secret that happens
to sit in our environment (``QUZHENG_PASSPHRASE`` is a documented way to pass one to the
command line). Every child gets ``child_environment()``; a process that hosts Qt WebEngine
itself (``quzheng capture``, ``quzheng demo``, the GUI, the workspace) calls
``scrub_environ()`` before Qt WebEngine starts, since Chromium's own processes inherit the
process environment. What was scrubbed stays readable here (``scrubbed``) for the code of
this process that still needs it (``app.secrets.read_secret``).

A variable is secret when its name (case-insensitive), cut at ``_``, has a part that names
a secret (``PASSPHRASE``, ``PASSWORD``, ``PASSWD``, ``SECRET``, ``TOKEN``, ``CREDENTIALS``,
``APIKEY``…) or ends in ``_KEY``. ``QUZHENG_HOME``, ``QUZHENG_LANG`` and the like pass. A
child that needs a secret of its own (the proxy's per-session secret) is handed it after
this, and never through an inherited variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

_SECRET_PARTS = frozenset(
    {
        "PASSPHRASE",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
        "PRIVATE",
    }
)

_scrubbed: dict[str, str] = {}


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    parts = upper.split("_")
    return any(p in _SECRET_PARTS for p in parts) or upper.endswith("_KEY")


def child_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (our environment when omitted) without any secret variable."""
    env = os.environ if base is None else base
    return {k: v for k, v in env.items() if not is_secret_name(k)}


def scrub_environ() -> list[str]:
    """Remove every secret variable from this process's environment (so that processes
    started without an explicit environment, such as Chromium's, never see it); their values
    stay available through ``scrubbed``. Returns the names removed."""
    names = [k for k in os.environ if is_secret_name(k)]
    for name in names:
        _scrubbed[name] = os.environ.pop(name)
    return names


def scrubbed(name: str) -> str | None:
    """The value ``scrub_environ`` removed for ``name`` (None when it removed none)."""
    return _scrubbed.get(name)


def forget_scrubbed() -> None:
    """Drop the values kept by ``scrub_environ`` (tests: one test's secrets never reach
    the next)."""
    _scrubbed.clear()

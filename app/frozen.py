"""What differs when Quzheng runs as a frozen (PyInstaller) build: its child processes.

The app starts two kinds of child process, each running one of our modules:

- the recording proxy, ``python -m forensics.capture.proxy …`` (``RecordingProxy``);
- the GUI's capture workspace, ``python -m ui.workspace --stdin`` (``WorkspaceProcess``).

A frozen build has no Python interpreter to run ``-m``: ``sys.executable`` is the
``quzheng`` program itself. So the program accepts hidden, internal first arguments —
``quzheng --run-proxy ARGS…`` and ``quzheng --run-workspace ARGS…`` — that run that
module's ``main(ARGS)`` and nothing else. ``proxy_command()`` and ``workspace_command()``
give the command to start each child, frozen or not; ``frozen_main`` runs them.

The frozen program's launcher (written by ``build.spec``) calls ``frozen_main`` before it
imports ``app.cli``: the proxy child then loads only the proxy's own modules, so the code
manifest it discloses (``addon_sha256``) lists the same files as ``python -m`` does, and it
starts without paying for the whole CLI's imports.

This module imports nothing of the app at import time; keep it that way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Final

RUN_PROXY: Final = "--run-proxy"
"""First argument that makes the program the recording proxy (forensics.capture.proxy)."""

RUN_WORKSPACE: Final = "--run-workspace"
"""First argument that makes the program a capture workspace (ui.workspace)."""

PROXY_MODULE: Final = "forensics.capture.proxy"
WORKSPACE_MODULE: Final = "ui.workspace"


def is_frozen() -> bool:
    """True inside a PyInstaller (or similar) build."""
    return bool(getattr(sys, "frozen", False))


def proxy_command() -> list[str]:
    """The command ``RecordingProxy`` runs (its own arguments are appended to it)."""
    if is_frozen():
        return [sys.executable, RUN_PROXY]
    return [sys.executable, "-m", PROXY_MODULE]


def workspace_command() -> list[str]:
    """The command that starts a capture workspace process (``--stdin`` is appended)."""
    if is_frozen():
        return [sys.executable, RUN_WORKSPACE]
    return [sys.executable, "-m", WORKSPACE_MODULE]


def frozen_main(argv: Sequence[str]) -> int | None:
    """Run an internal command line and return its exit status, or ``None`` if ``argv``
    (the arguments after the program name) is not one: the caller then goes on as usual.

    Accepted from a source checkout too, wherever it is wired in, which keeps it testable.
    """
    if not argv:
        return None
    if argv[0] == RUN_PROXY:
        from forensics.capture.proxy import main as proxy_main

        return proxy_main(list(argv[1:]))
    if argv[0] == RUN_WORKSPACE:
        from ui.workspace.process import main as workspace_main

        return workspace_main(list(argv[1:]))
    return None

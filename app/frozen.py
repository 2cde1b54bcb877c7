"""The command lines of Quzheng's child processes, from a source checkout or a frozen
(PyInstaller) build.

The app starts two kinds of child process, each running one of our modules:

- the recording proxy, ``python -m forensics.capture.proxy …`` (``RecordingProxy``);
- the GUI's capture workspace, ``python -m ui.workspace --stdin`` (``WorkspaceProcess``).

A frozen build has no Python interpreter to run ``-m``: ``sys.executable`` is the
``quzheng`` program itself. So the program accepts hidden, internal first arguments —
``quzheng --run-proxy ARGS…`` and ``quzheng --run-workspace ARGS…`` — that run that
module's ``main(ARGS)`` and nothing else. ``proxy_command()`` and ``workspace_command()``
give the command to start each child, frozen or not; the program's entry point
(``ui.entry``) recognises the internal arguments and runs the child.

A leaf: it imports nothing of the project (the capture engine uses it deep down); keep it
that way.
"""

from __future__ import annotations

import sys
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

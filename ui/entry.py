"""``quzheng``: the program's one entry point, on top of every floor.

    quzheng                      the desktop application (``ui.main.run_gui``)
    quzheng --selftest           check this installation (``app.selftest``)
    quzheng SUBCOMMAND …         the command line (``app.cli``)
    quzheng --run-workspace …    internal: the GUI's capture workspace child (``ui.workspace``)
    quzheng --run-proxy …        internal: the recording proxy child (``forensics.capture.proxy``)

The console script ``quzheng`` (pyproject.toml) and the frozen program (build.spec) start
here; so does ``python -m ui.entry``. It is the only module that reaches every floor
(forensics ← app ← ui), and nothing imports it (tests/test_layering.py).

Each branch imports what it runs only when it runs it: the proxy child then loads only the
proxy's own modules, so the code manifest it discloses (``addon_sha256``) lists the same
files as ``python -m forensics.capture.proxy`` does, and a child starts without paying for
the CLI's or the GUI's imports. At module level this imports ``app.frozen`` (a leaf) only.
The GUI and the self-test run under the command line's error handling (one clear line and an
exit code, ``app.cli.main``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Final

from app.frozen import RUN_PROXY, RUN_WORKSPACE

SELFTEST: Final = "--selftest"


def main(argv: Sequence[str] | None = None) -> int:
    # Before anything is created: every file and folder this program and its children (the
    # proxy, the workspace, the browser's own processes) make is its owner's alone, whatever
    # the umask it was started with (issue #16; the core sets explicit modes as well).
    os.umask(0o077)
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [RUN_PROXY]:
        from forensics.capture.proxy import main as proxy_main

        return proxy_main(args[1:])
    if args[:1] == [RUN_WORKSPACE]:
        from ui.workspace.process import main as workspace_main

        return workspace_main(args[1:])
    from app import cli

    if not args or args == [SELFTEST]:
        # Both host Qt WebEngine in this process, and Chromium's processes inherit its
        # environment: no passphrase may be in it (forensics/childenv.py).
        from forensics.childenv import scrub_environ

        scrub_environ()
    if not args:
        from ui.main import run_gui

        return cli.main(args, run=run_gui)
    if args == [SELFTEST]:
        from app.selftest import run_selftest

        return cli.main(args, run=run_selftest)
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main())

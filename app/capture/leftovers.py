"""Crash recovery: seal what earlier capture runs left unsealed in a case's work folder.

A capture session writes into ``<case>/work``: the proxy's WARC segments in ``proxy/``,
each session's browser profile and video segments in ``session-<id>/``. Everything there is
sealed and removed while the session runs; a crash leaves files behind. Before a new
session's proxy starts, ``Leftovers.seal_earlier_runs`` seals each of them as
``capture.recovered`` (WARC segments the proxy had open, repaired by
``recover_open_segments``; closed segments never sealed; damaged segments; video segments
written but not sealed) and removes the old browser profiles (not evidence, may hold
cookies). ``seal_after_proxy_death`` does the same for the segment a proxy that died during
the running session left open. A file whose content is already sealed (the crash came
after its seal) is only removed. Files of a run still alive in another process (its lock
held) are left alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from app.capture.recorder import OPEN_SUFFIX as VIDEO_OPEN_SUFFIX
from app.capture.sealer import Item, Sealer
from forensics.capture.recover import RecoveryError, recover_open_segments
from forensics.capture.warc import LOCK_PREFIX, RunLock
from forensics.case import Case
from forensics.errors import QuzhengError

# The layout of a case's capture work folder.
PROXY_DIR: Final = "proxy"
SESSION_DIR_PREFIX: Final = "session-"
_SEGMENT_RUN = re.compile(r"^traffic-\d{8}T\d{6}Z-(?P<run>[0-9a-f]+)-\d+")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class Leftovers:
    """Seals the leftovers in ``work`` through the session's ``sealer``.

    ``warn`` records a warning for the session's summary and ``session.end``; ``say`` tells
    the officer (the full diagnostics of a partial repair).
    """

    def __init__(
        self,
        case: Case,
        sealer: Sealer,
        work: Path,
        *,
        warn: Callable[[str], None],
        say: Callable[[str], None],
    ) -> None:
        self.case = case
        self.sealer = sealer
        self.work = work
        self.proxy_dir = work / PROXY_DIR
        self._warn = warn
        self._say = say

    def _already_sealed(self, path: Path) -> bool:
        return self.case.store.has_item_content(sha256_file(path))

    def _seal(self, path: Path, media_type: str, data: dict[str, Any], folder: str) -> None:
        if self._already_sealed(path):
            path.unlink(missing_ok=True)  # sealed before the crash; only the copy was left
            return
        body = {"file": path.name, "size": path.stat().st_size, **data}
        self.sealer.seal_items(
            "capture.recovered", body, [Item(path.name, media_type, path=path)], folder=folder
        ).result()
        path.unlink(missing_ok=True)

    def seal_earlier_runs(self) -> None:
        """Seal what an earlier session left unsealed (before this session's proxy starts)."""
        try:
            repaired = recover_open_segments(self.proxy_dir)
        except RecoveryError as exc:
            repaired = exc.recovered
            self._warn(exc.message_en)
            self._say(exc.diagnostics("en"))
        repaired_names = {p.name for p in repaired}
        for path in sorted(self.proxy_dir.glob("traffic-*.warc.gz")):
            m = _SEGMENT_RUN.match(path.name)
            if m is not None:
                lock = RunLock(self.proxy_dir / f"{LOCK_PREFIX}{m['run']}.lock")
                if lock.path.exists():  # no lock file: that run ended long ago
                    if not lock.acquire():
                        continue  # a live proxy of another process: its app seals these
                    lock.release(unlink=True)
            state = "repaired-open-segment" if path.name in repaired_names else "closed-unsealed"
            self._seal(
                path,
                "application/warc",
                {
                    "kind": "traffic",
                    "state": state,
                    "reason": "left by an earlier capture run that ended without sealing it"
                    if state == "closed-unsealed"
                    else "the recording proxy of an earlier run died with this segment open; "
                    "repaired (see its Quzheng-Metadata: recovery record)",
                },
                "archive",
            )
        for path in sorted(self.proxy_dir.glob("*.damaged")):
            self._seal(
                path,
                "application/octet-stream",
                {"kind": "traffic", "state": "damaged", "reason": "not a readable WARC segment"},
                "archive",
            )
        for d in sorted(self.work.glob(f"{SESSION_DIR_PREFIX}*")):
            if not d.is_dir():
                continue
            lock = RunLock(d / ".lock")
            if not lock.acquire():
                continue  # a session running in another process
            try:
                for path in sorted(d.glob("video/*.mp4*")):
                    torn = path.name.endswith(VIDEO_OPEN_SUFFIX)
                    self._seal(
                        path,
                        "video/mp4",
                        {
                            "kind": "video",
                            "state": "torn-open-segment" if torn else "closed-unsealed",
                            "reason": "screen recording segment an earlier session did not seal"
                            + (" (fragmented MP4 cut at the crash)" if torn else ""),
                        },
                        "evidence",
                    )
                # The old browser profile is not evidence and may hold cookies: remove it.
                shutil.rmtree(d / "browser", ignore_errors=True)
            finally:
                lock.release(unlink=True)
            for p in sorted(d.rglob("*"), reverse=True):
                with contextlib.suppress(OSError):
                    if p.is_dir():
                        p.rmdir()
            with contextlib.suppress(OSError):
                d.rmdir()

    def seal_after_proxy_death(self) -> None:
        """Repair and seal the segment the session's dead proxy left open; a file that
        cannot be sealed becomes a warning (the session is ending anyway)."""
        try:
            repaired = recover_open_segments(self.proxy_dir)
        except RecoveryError as exc:
            repaired = exc.recovered
            self._warn(exc.message_en)
        for path in repaired:
            try:
                self._seal(
                    path,
                    "application/warc",
                    {
                        "kind": "traffic",
                        "state": "repaired-open-segment",
                        "reason": "the recording proxy died during this session with this "
                        "segment open; repaired (see its Quzheng-Metadata: recovery record)",
                    },
                    "archive",
                )
            except QuzhengError as exc:
                self._warn(f"{path.name} could not be sealed: {exc.message_en}")

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

The same recovery runs whenever a case is opened by a command that acts as an officer of
it (``Installation.open_case(ref, acting=signer)``: notes, seals, session end, export,
transfer, the GUI's writing actions), so a crash is sealed by the next thing the officer
does, not only by the next capture; ``pending`` lists what is still waiting (read-only
commands name it) and ``require_none_pending`` is export's gate.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Final

from app.capture.sealer import Item, Sealer
from forensics.capture.recover import RecoveryError, recover_open_segments
from forensics.capture.warc import LOCK_PREFIX, RunLock
from forensics.case import Case
from forensics.entry_data import RecoveredData
from forensics.entry_data.recovered import CLOSED_UNSEALED, DAMAGED, REPAIRED, TORN, TRAFFIC, VIDEO
from forensics.errors import PolicyError, QuzhengError
from forensics.identity import Signer

# The layout of a case's capture work folder.
PROXY_DIR: Final = "proxy"
SESSION_DIR_PREFIX: Final = "session-"
# A screen-recording segment still being written (the recorder renames it when it closes).
VIDEO_OPEN_SUFFIX: Final = ".open"
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

    def _seal(
        self, path: Path, media_type: str, kind: str, state: str, reason: str, folder: str
    ) -> None:
        if self._already_sealed(path):
            path.unlink(missing_ok=True)  # sealed before the crash; only the copy was left
            return
        body = RecoveredData(path.name, path.stat().st_size, kind, state, reason).to_json()
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
            was_open = path.name in repaired_names
            self._seal(
                path,
                "application/warc",
                TRAFFIC,
                REPAIRED if was_open else CLOSED_UNSEALED,
                "the recording proxy of an earlier run died with this segment open; "
                "repaired (see its Quzheng-Metadata: recovery record)"
                if was_open
                else "left by an earlier capture run that ended without sealing it",
                "archive",
            )
        for path in sorted(self.proxy_dir.glob("*.damaged")):
            self._seal(
                path,
                "application/octet-stream",
                TRAFFIC,
                DAMAGED,
                "not a readable WARC segment",
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
                        VIDEO,
                        TORN if torn else CLOSED_UNSEALED,
                        "screen recording segment an earlier session did not seal"
                        + (" (fragmented MP4 cut at the crash)" if torn else ""),
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
                    TRAFFIC,
                    REPAIRED,
                    "the recording proxy died during this session with this segment open; "
                    "repaired (see its Quzheng-Metadata: recovery record)",
                    "archive",
                )
            except QuzhengError as exc:
                self._warn(f"{path.name} could not be sealed: {exc.message_en}")


def _live(lock_path: Path) -> bool:
    """True while another process holds the run lock at ``lock_path``."""
    if not lock_path.exists():
        return False
    lock = RunLock(lock_path)
    if not lock.acquire():
        return True
    lock.release()
    return False


def pending(work: Path) -> list[Path]:
    """What crashed runs left in a case's ``work`` folder, waiting to be sealed (files of
    a run still alive in another process are not listed: that run seals them)."""
    out: list[Path] = []
    proxy = work / PROXY_DIR
    if proxy.is_dir():
        for path in sorted(proxy.iterdir()):
            m = _SEGMENT_RUN.match(path.name)
            if (
                m is not None and not _live(proxy / f"{LOCK_PREFIX}{m['run']}.lock")
            ) or path.name.endswith(".damaged"):
                out.append(path)
    for d in sorted(work.glob(f"{SESSION_DIR_PREFIX}*")) if work.is_dir() else []:
        if d.is_dir() and not _live(d / ".lock"):
            out.extend(sorted(d.glob("video/*.mp4*")))
            if (d / "browser").exists():
                out.append(d / "browser")
    return out


def recover(case: Case, signer: Signer, *, say: Callable[[str], None] | None = None) -> list[str]:
    """Seal what crashed runs left in ``case``'s work folder, as ``signer``; the warnings
    of a partial repair are returned (and said). Nothing to do for a received case."""
    work = case.store.dir / "work"
    if case.received or not pending(work):
        return []
    warnings: list[str] = []
    sealer = Sealer(case, signer)
    try:
        Leftovers(
            case, sealer, work, warn=warnings.append, say=say or (lambda _text: None)
        ).seal_earlier_runs()
    finally:
        sealer.close()
    return warnings


def require_ready_for_export(case: Case) -> None:
    """Export's gate: a package must not leave out what a crash left unsealed, nor carry a
    session without its end (its verification would fail on K1)."""
    left = pending(case.store.dir / "work")
    if left:
        names = ", ".join(p.name for p in left[:5]) + (" …" if len(left) > 5 else "")
        raise PolicyError(
            f"{len(left)} file(s) left by an interrupted capture are not sealed yet ({names}); "
            "they are sealed as soon as the capture that wrote them has ended — "
            "end it first, then export again",
            f"中断的取证留下的 {len(left)} 个文件尚未封存（{names}）；写入它们的取证结束后即会封存，"
            "请先结束该取证再导出",
        )
    unclosed = case.unclosed_sessions()
    if unclosed and not case.received:
        ids = ", ".join(unclosed)
        raise PolicyError(
            f"session(s) {ids} of this case are not closed: close each with two officers' "
            f"signatures ('quzheng session end --case {case.case_id} --session ID "
            '--officer BADGE --officer BADGE\', or "Close open session…" in the case view), then export',
            f"本案取证会话 {ids} 尚未结束：请由两名执法人员签名结束（"
            f"'quzheng session end --case {case.case_id} --session 会话编号 --officer 证号 "
            "--officer 证号'，或在案件视图中“结束未关闭的会话…”）后再导出",
        )

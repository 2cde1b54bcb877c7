"""What the capture workspace asks of its session beyond the engine's own API: starting it
before Qt (``prepare``), time-stamps while it runs (on the session's sealer, the one
writer), the stamp queue, and the ledger's head for the error dialog."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from app.capture.session import CaptureOptions, CaptureSession
from app.gui.cases import cases_home
from app.gui.errors import SealedState
from app.gui.officers import unlock
from app.gui.workspace import WorkspaceConfig, capture_options
from forensics.case import Case
from forensics.identity import Signer
from forensics.stamping import StampOutcome, TsaConfig, pending_count, stamp_pending

__all__ = [
    "Prepared",
    "StampOutcome",  # re-exported: the workspace shows them, ui/ imports no stamping code
    "TsaConfig",
    "prepare",
    "queued_stamps",
    "sealed_state",
    "stamp_queued",
]


@dataclass
class Prepared:
    home: Path
    config: WorkspaceConfig
    case: Case
    signer: Signer
    session: CaptureSession


def prepare(
    home: Path,
    config: WorkspaceConfig,
    passphrase: str,
    *,
    options: CaptureOptions | None = None,
) -> Prepared:
    """Before Qt: unlock, open the case, start the session (recovery, proxy,
    ``session.start``, the clean-environment check). Raises ``QuzhengError``."""
    signer = unlock(home, config.badge, passphrase)
    case = Case.open(cases_home(home), config.case_id)
    try:
        session = CaptureSession(
            home, case, signer, options=options or capture_options(home, config)
        )
        session.start()
    except BaseException:
        case.close()
        raise
    return Prepared(home, config, case, signer, session)


def stamp_queued(session: CaptureSession, tsa: TsaConfig, timeout: float) -> Future[StampOutcome]:
    """Ask the TSA for every queued token, in turn with the session's other seals."""
    quick = TsaConfig(tsa.urls, tsa.trust_roots, timeout)
    return session.sealer.submit(lambda: stamp_pending(session.case, session.signer, quick))


def queued_stamps(session: CaptureSession) -> int:
    return pending_count(session.case)


def sealed_state(session: CaptureSession) -> SealedState | None:
    head = session.case.store.head()
    return None if head is None else SealedState(head[0] + 1, head[0], head[1])

"""What the capture workspace asks of its session beyond the engine's own API: starting it
before Qt (``prepare``, with the TSA that stamps each seal point as it is sealed: the
session's ``BackgroundStamper``), the stamp queue, and the ledger's head for the error
dialog."""

from __future__ import annotations

from dataclasses import dataclass

from app.capture.options import CaptureOptions
from app.capture.session import CaptureSession
from app.desk.errors import SealedState
from app.desk.officers import unlock
from app.desk.workspace_options import capture_options
from app.desk.workspace_protocol import WorkspaceConfig
from app.installation import Installation
from forensics.case import Case
from forensics.identity import Signer
from forensics.stamping import StampOutcome, TsaConfig, pending_count

__all__ = [
    "Prepared",
    "StampOutcome",  # re-exported: the workspace shows them, ui/ imports no stamping code
    "TsaConfig",
    "prepare",
    "queued_stamps",
    "sealed_state",
]


@dataclass
class Prepared:
    inst: Installation
    config: WorkspaceConfig
    case: Case
    signer: Signer
    session: CaptureSession
    tsa: TsaConfig


def prepare(
    inst: Installation,
    config: WorkspaceConfig,
    passphrase: str,
    *,
    options: CaptureOptions | None = None,
    tsa: TsaConfig | None = None,
) -> Prepared:
    """Before Qt: unlock, open the case, start the session (recovery, proxy,
    ``session.start``, the clean-environment check) with its time-stamper (``tsa``, by
    default the installation's). Raises ``QuzhengError``."""
    signer = unlock(inst, config.badge, passphrase)
    tsa = tsa if tsa is not None else inst.tsa_config()
    case = inst.open_case(config.case_id)
    try:
        session = CaptureSession(
            inst, case, signer, options=options or capture_options(inst, config), tsa=tsa
        )
        session.start()
    except BaseException:
        case.close()
        raise
    return Prepared(inst, config, case, signer, session, tsa)


def queued_stamps(session: CaptureSession) -> int:
    return pending_count(session.case)


def sealed_state(session: CaptureSession) -> SealedState | None:
    head = session.case.store.head()
    return None if head is None else SealedState(head[0] + 1, head[0], head[1])

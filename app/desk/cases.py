"""Cases for the windows: list, create, read the timeline, add officers, seal notes,
imports and transcripts, verify and export.

Every function opens the case, does its work and closes it again: the main window holds
no case open, so a capture workspace (a process of its own) can write to the case while
the main window shows it. They block (hashing, signing, reading the ledger): call them
through ``run_task``, never on the GUI thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.capture.leftovers import pending, recover, require_ready_for_export
from app.desk.timeline import TimelineRow, timeline_rows
from app.installation import Installation
from app.reporting import report_hook
from forensics.case import Case, import_batches, list_cases
from forensics.entry_data import OfficerData
from forensics.errors import InputError, NotFoundError
from forensics.identity import IdentityStore, Officer, Signer
from forensics.ledger import Record
from forensics.ledger_checks import VerificationReport
from forensics.package import ExportResult, export_package, verify_package
from forensics.package.export import backup_package
from forensics.package.layout import EXTENSION, EXTENSIONS
from forensics.stamping import StampOutcome, pending_count, stamp_pending

type Progress = Callable[[int, int], None]

TARGET_KEYS = ("platform", "shop", "account", "room", "url")

logger = logging.getLogger(__name__)


# -- listing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    number: str
    title: str
    officers: tuple[str, ...]  # "name (badge)"
    status: str
    last_activity: str  # RFC 3339 UTC
    training: bool = False


def officer_label(ids: IdentityStore, badge: str) -> str:
    try:
        return f"{ids.officer(badge).profile.name} ({badge})"
    except InputError:
        return badge


def case_summaries(inst: Installation) -> list[CaseSummary]:
    """Every case, newest activity first."""
    ids = inst.ids
    out = [
        CaseSummary(
            info.case_id,
            info.number,
            info.title,
            tuple(officer_label(ids, b) for b in info.officers),
            info.status,
            info.last_activity,
            info.training,
        )
        for info in list_cases(inst.cases)
    ]
    return sorted(out, key=lambda c: c.last_activity, reverse=True)


# -- creating ---------------------------------------------------------------------------


@dataclass
class NewCaseForm:
    """What the new-case dialog collects (REQUIREMENTS §A1, §A2)."""

    number: str = ""
    title: str = ""
    cause: str = ""
    target: dict[str, str] = field(default_factory=dict)
    location: str = ""
    purpose: str = ""
    officers: list[str] = field(default_factory=list)  # badges, the lead included
    training: bool = False
    agency: str = ""
    document_number: str = ""
    party: str = ""

    def problems(self, lead_badge: str) -> list[str]:
        """Names of the fields that stop the case from being opened (empty: none)."""
        out = [
            name
            for name in ("number", "title", "cause", "location", "purpose")
            if not str(getattr(self, name)).strip()
        ]
        if not any(v.strip() for v in self.target.values()):
            out.append("target")
        url = self.target.get("url", "").strip()
        if url and not re.match(r"^https?://[^\s/]+", url):
            out.append("url")
        badges = set(self.officers) | {lead_badge}
        if len(badges) < 2 and not self.training:
            out.append("officers")
        return out


def create_case(inst: Installation, lead: Signer, form: NewCaseForm) -> str:
    """Open the case with the lead's signature; returns its id."""
    problems = form.problems(lead.officer.profile.badge)
    if problems:
        raise InputError(
            f"the new case is incomplete: {', '.join(problems)}",
            f"新案件信息不完整：{', '.join(problems)}",
        )
    ids = inst.ids
    others: list[Officer] = [
        ids.officer(b) for b in form.officers if b != lead.officer.profile.badge
    ]
    target = {k: v.strip() for k, v in form.target.items() if v.strip()}
    case = Case.create(
        inst.cases,
        lead,
        title=form.title.strip(),
        number=form.number.strip(),
        cause=form.cause.strip(),
        target=target,
        location=form.location.strip(),
        purpose=form.purpose.strip(),
        officers=others,
        training=form.training,
        agency=form.agency.strip() or lead.officer.profile.agency,
        document_number=form.document_number.strip(),
        party=form.party.strip(),
    )
    with case:
        return case.case_id


# -- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDetails:
    case_id: str
    case_dir: Path
    number: str
    title: str
    status: str
    training: bool
    received: bool
    opened: dict[str, Any]  # the case.open entry's data: cause, target, location, purpose…
    officers: list[OfficerData]
    rows: list[TimelineRow]
    pending_stamps: int
    open_sessions: list[str]
    leftovers: int = 0  # files an interrupted capture left unsealed in work/

    @property
    def badges(self) -> list[str]:
        return [o.badge for o in self.officers]


def _open_sessions(records: Sequence[Record]) -> list[str]:
    started = [str(r.session) for r in records if r.kind == "session.start"]
    ended = {str(r.session) for r in records if r.kind == "session.end"}
    return [s for s in started if s not in ended]


def load_case(inst: Installation, case_id: str) -> CaseDetails:
    """The case's header and its whole timeline (read-only; no recovery runs)."""
    with inst.open_case(case_id, recover=False) as case:
        records = case.ledger.records()
        info = case.info()
        return CaseDetails(
            case_id=case.case_id,
            case_dir=case.store.dir,
            number=info.number,
            title=info.title,
            status=info.status,
            training=info.training,
            received=case.received,
            opened=dict(records[0].data) if records else {},
            officers=list(case.officers().values()),
            rows=timeline_rows(records),
            pending_stamps=pending_count(case),
            open_sessions=_open_sessions(records),
            leftovers=0 if case.received else len(pending(case.store.dir / "work")),
        )


def pending_stamps(inst: Installation, case_id: str) -> int:
    with inst.open_case(case_id, recover=False) as case:
        return pending_count(case)


def item_file(case_dir: Path, sha256: str) -> Path:
    """The sealed (write-protected) file behind an item, for the viewers to read."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InputError(f"not a SHA-256 digest: {sha256!r}", f"不是 SHA-256 摘要：{sha256!r}")
    path = case_dir / "blobs" / sha256[:2] / sha256
    if not path.is_file():
        raise NotFoundError(f"sealed file {sha256} is missing", f"封存文件 {sha256} 缺失")
    return path


# -- sealing from the case view ---------------------------------------------------------


def _writable(inst: Installation, case_id: str, signer: Signer) -> Case:
    """Open the case for an action of ``signer``: what an interrupted capture left
    unsealed is sealed first (app.capture.leftovers)."""
    return inst.open_case(case_id, acting=signer, say=logger.warning)


def add_note(inst: Installation, case_id: str, signer: Signer, text: str) -> Record:
    with _writable(inst, case_id, signer) as case:
        return case.note(signer, text)


def add_case_officer(
    inst: Installation, case_id: str, signer: Signer, badge: str, role: str = "officer"
) -> Record:
    """Add the officer with ``badge`` to the case, signed by ``signer`` (an officer of it)."""
    officer = inst.ids.officer(badge)
    with _writable(inst, case_id, signer) as case:
        return case.add_officer(signer, officer, role=role)


def import_files(
    inst: Installation, case_id: str, signer: Signer, paths: Sequence[Path]
) -> list[Record]:
    with _writable(inst, case_id, signer) as case:
        return [rec for batch in import_batches(paths) for rec in case.import_files(signer, batch)]


def stamp_case(inst: Installation, case_id: str, signer: Signer) -> StampOutcome:
    with _writable(inst, case_id, signer) as case:
        return stamp_pending(case, signer, inst.tsa_config())


def recover_leftovers(inst: Installation, case_id: str, signer: Signer) -> list[str]:
    """Seal, as ``signer``, what an interrupted capture left in the case's work folder; the
    warnings of a partial repair are returned."""
    with inst.open_case(case_id) as case:
        return recover(case, signer, say=logger.info)


def close_open_session(
    inst: Installation, case_id: str, session: str, signers: Sequence[Signer], *, training: bool
) -> Record:
    """Close a session a crashed workspace left open (two officers, as always)."""
    with _writable(inst, case_id, signers[0]) as case:
        return case.end_session(
            session,
            signers,
            data={"completed": False, "closed_from": "case view (the workspace ended early)"},
            allow_single_officer=training,
        )


# -- verify and export ------------------------------------------------------------------


def verify_case(inst: Installation, case_id: str) -> VerificationReport:
    """Verify a case; the unlocked officer of the case records it (``verify``,
    app.desk.access)."""
    from app.desk import access
    from forensics.custody_records import record_verification

    with inst.open_case(case_id, recover=False) as case:
        # A training case in the officer's own installation is checked as the exercise it
        # is (its report still says "training"); packages are verified as evidence.
        report = case.verify(inst.trust_policy(training=case.training))
        signer = access.officer()
        if signer is not None and signer.officer.key_fp in case.officers():
            record_verification(case, signer, report, via="gui")
        return report


def verify_package_file(
    inst: Installation, path: Path, password: str | None, progress: Progress | None = None
) -> VerificationReport:
    return verify_package(path, inst.trust_policy(), password=password or None, progress=progress)


def export_case(
    inst: Installation,
    case_id: str,
    signer: Signer,
    out: Path,
    *,
    password: str | None = None,
    backup: Path | None = None,
    lang: str = "zh",
    progress: Progress | None = None,
) -> ExportResult:
    if out.suffix.lower() not in EXTENSIONS:
        out = out.with_name(out.name + EXTENSION)
    with _writable(inst, case_id, signer) as case:
        case.require_member(signer)
        require_ready_for_export(case)
        return export_package(
            case,
            signer,
            out,
            password=password or None,
            tsa=inst.tsa_config(),
            report=report_hook(lang),
            backup=backup,
            progress=progress,
        )


def backup_export(package: Path, backup: Path) -> Path:
    """Copy an exported package and its seal to ``backup`` again — the backup alone, after
    checking the package against its seal; nothing is sealed in the case."""
    return backup_package(package, backup)


def seal_derived(
    inst: Installation, case_id: str, signer: Signer, data: dict[str, Any], name: str, body: bytes
) -> Record:
    """A derived item (e.g. a transcript) naming its parent's hash in ``data``."""
    import io

    with _writable(inst, case_id, signer) as case:
        case.require_member(signer)
        media_type = "text/vtt; charset=utf-8" if name.endswith(".vtt") else "text/plain"
        return case.seal_stream(
            signer,
            io.BytesIO(body),
            name=name,
            media_type=media_type,
            kind="derive",
            data=data,
            folder="evidence",
        )

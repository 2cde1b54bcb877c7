"""A case: its store, its ledger, and the few safe operations that seal evidence.

Public operations make no cryptographic choices for the caller: ``seal_file`` hashes with
SHA-256 and SM3, writes the blob durably, and appends a signed ledger entry, in that order.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from forensics.atomic import write_atomic
from forensics.canonical import utc_now
from forensics.entry_data import (
    CaseOpenData,
    ImportData,
    NoteData,
    OfficerData,
    SessionStartData,
)
from forensics.errors import InputError, NotAMember, NotFoundError, PolicyError
from forensics.hashing import Digests
from forensics.identifiers import new_case_id
from forensics.identity import Officer, Signer, cert_fingerprint
from forensics.ledger import ItemSpec, Ledger, Record, parse_record
from forensics.ledger_checks import VerificationReport, verify_case_dir
from forensics.media import exif_time_utc, read_exif, sniff_media_type
from forensics.store import CaseStore
from forensics.trust import TrustPolicy

# An EXIF time further than this from the import time is flagged for the reviewer.
EXIF_TIME_FLAG_SECONDS = 24 * 3600
# ``import_batches``: files sealed in one transaction, so that small files share a commit
# while a big one is sealed (and then time-stamped) without waiting for others.
IMPORT_BATCH_FILES = 64
IMPORT_BATCH_BYTES = 64 << 20


def import_batches(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """``paths`` in order, in batches for ``Case.import_files``: at most
    ``IMPORT_BATCH_FILES`` files and, unless one file alone is larger, ``IMPORT_BATCH_BYTES``."""
    batch: list[Path] = []
    size = 0
    for p in paths:
        try:
            n = p.stat().st_size
        except OSError:
            n = 0  # import_files says what is wrong with it
        if batch and (len(batch) >= IMPORT_BATCH_FILES or size + n > IMPORT_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(p)
        size += n
    if batch:
        yield batch


# Roles an officer.add entry may name: the lead opens the case; the others are added by an
# officer of the case ("receiver" is registered by custody.import_package alone).
OFFICER_ROLES = ("lead", "officer", "recorder", "assistant")


@dataclass(frozen=True)
class CaseInfo:
    case_id: str
    title: str
    number: str
    status: str
    officers: list[str] = field(default_factory=list)
    last_activity: str = ""
    training: bool = False


@dataclass(frozen=True)
class SealItem:
    """One evidence file of an entry, from exactly one of: a path on disk, bytes in memory,
    or a stream the caller opened (read to its end, not closed)."""

    name: str
    media_type: str
    path: Path | None = None
    data: bytes | None = None
    stream: BinaryIO | None = None


def officer_data(officer: Officer, role: str) -> OfficerData:
    """The ``officer.add`` record of ``officer`` joining a case in ``role``."""
    profile = officer.profile
    return OfficerData(
        name=profile.name,
        badge=profile.badge,
        agency=profile.agency,
        role=role,
        key=officer.key_fp,
        cert_sha256=cert_fingerprint(officer.cert),
        self_signed=officer.cert.issuer == officer.cert.subject,
    )


def cases_dir(home: Path) -> Path:
    return home / "cases"


def list_cases(home: Path) -> list[CaseInfo]:
    out = []
    base = cases_dir(home)
    for d in sorted(base.iterdir()) if base.is_dir() else []:
        if not (d / "case.sqlite").is_file():
            continue
        try:
            with Case.open(home, d.name, recover=False) as case:
                out.append(case.info())
        except InputError:
            out.append(CaseInfo(d.name, "?", "?", "unreadable"))
    return out


def resolve_case_dir(home: Path, ref: str) -> Path:
    """A case directory from a full id, a unique id prefix, or a path to a case directory."""
    p = Path(ref)
    if (p / "case.sqlite").is_file():
        return p
    base = cases_dir(home)
    if ref and "/" not in ref and base.is_dir():
        if (base / ref / "case.sqlite").is_file():
            return base / ref
        matches = [d for d in base.iterdir() if d.name.startswith(ref) and len(ref) >= 4]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(
                f"case id prefix {ref!r} is ambiguous", f"案件编号前缀 {ref!r} 对应多个案件"
            )
    raise NotFoundError(f"no case {ref!r}", f"案件 {ref!r} 不存在")


class Case:
    def __init__(
        self, store: CaseStore, case_id: str, now: Callable[[], datetime] = utc_now
    ) -> None:
        self.store = store
        self.case_id = case_id
        self.ledger = Ledger(store, case_id, now)
        self._officers: dict[str, OfficerData] = {}
        self._officers_seen = -1

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        home: Path,
        signer: Signer,
        *,
        title: str,
        number: str = "",
        cause: str = "",
        target: dict[str, str] | None = None,
        location: str = "",
        purpose: str = "",
        officers: Sequence[Officer | tuple[Officer, str]] = (),
        training: bool = False,
        agency: str = "",
        document_number: str = "",
        party: str = "",
        party_not_signed_reason: str = "",
        carrier_statement: str = "",
        now: Callable[[], datetime] = utc_now,
    ) -> Case:
        """Open a case. ``officers`` are the others on it (optionally with a role such as
        ``recorder`` or ``assistant``); the signer is the lead. Party (当事人), agency,
        document number (文书编号) and the statement on the original storage medium
        (``carrier_statement``; when empty the report states the usual online case) appear
        in the report."""
        if not title.strip():
            raise InputError("the case title is empty", "案件标题为空")
        case_id = new_case_id()  # the one shape import accepts (forensics/identifiers.py)
        store = CaseStore(cases_dir(home) / case_id, create=True)
        case = cls(store, case_id, now)
        for key, value in (("case_id", case_id), ("title", title), ("number", number)):
            store.set_meta(key, value)
        store.set_meta("status", "open")
        store.set_meta("training", "1" if training else "0")
        case.ledger.append(
            signer,
            "case.open",
            CaseOpenData(
                title=title,
                number=number,
                cause=cause,
                target=dict(target or {}),
                location=location,
                purpose=purpose,
                training=training,
                agency=agency,
                document_number=document_number,
                party=party,
                party_not_signed_reason=party_not_signed_reason,
                format=1,
                carrier_statement=carrier_statement.strip(),
            ).to_json(),
        )
        case.add_officer(signer, signer.officer, role="lead")
        for item in officers:
            officer, role = item if isinstance(item, tuple) else (item, "officer")
            if officer.key_fp != signer.officer.key_fp:
                case.add_officer(signer, officer, role=role)
        return case

    @classmethod
    def open(
        cls, home: Path, ref: str, *, recover: bool = True, now: Callable[[], datetime] = utc_now
    ) -> Case:
        d = resolve_case_dir(home, ref)
        store = CaseStore(d, recover=recover)
        case_id = store.get_meta("case_id")
        if case_id is None:
            store.close()
            raise InputError(f"case index {d} has no case id", f"案件索引 {d} 缺少案件编号")
        return cls(store, case_id, now)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def info(self) -> CaseInfo:
        head = self.store.head()
        last = ""
        if head is not None:
            line = self.store.record_line(head[0])
            if line is not None:
                last = parse_record(line).time
        return CaseInfo(
            case_id=self.case_id,
            title=self.store.get_meta("title") or "",
            number=self.store.get_meta("number") or "",
            status=self.store.get_meta("status") or "open",
            officers=[o.badge for o in self.officers().values()],
            last_activity=last,
            training=self.store.get_meta("training") == "1",
        )

    def target(self) -> dict[str, str]:
        """What the officers declared as the target when they opened the case (the
        ``case.open`` entry's platform, shop, account, room, url; empty values left out)."""
        line = self.store.record_line(0)
        if line is None:
            return {}
        target = parse_record(line).data.get("target")
        if not isinstance(target, dict):
            return {}
        return {str(k): v for k, v in target.items() if isinstance(v, str) and v}

    @property
    def training(self) -> bool:
        return self.store.get_meta("training") == "1"

    # -- officers -------------------------------------------------------------------------

    def add_officer(self, signer: Signer, officer: Officer, role: str = "officer") -> Record:
        """Register ``officer`` on the case (an ``officer.add`` entry signed by ``signer``).

        Who may sign it is what the verifier accepts: an officer of the case, or the lead
        registering themself as the case opens. A received case takes no new officers, and
        nobody is added twice.
        """
        if self.received:
            raise PolicyError(
                "this is a received case: no officer can be added to it (it is read-only but "
                "for custody, export and verification entries)",
                "本案为接收的案件，不能添加办案人员（除流转、导出和校验记录外只读）",
            )
        members = self.officers()
        opening = not members and signer.officer.key_fp == officer.key_fp
        if role not in OFFICER_ROLES[1:] and not (opening and role == "lead"):
            raise InputError(
                f"officer role {role!r} cannot be added (use {', '.join(OFFICER_ROLES[1:])})",
                f"不能添加角色为 {role!r} 的人员（可用 {', '.join(OFFICER_ROLES[1:])}）",
            )
        if not opening:
            self.require_member(signer)
        badge = officer.profile.badge
        if officer.key_fp in members:
            raise PolicyError(
                f"officer {badge} is already an officer of this case",
                f"执法人员 {badge} 已是本案的办案人员",
            )
        pem = officer.chain_pem().encode()
        path = self.store.dir / "certs" / f"{officer.key_fp}.pem"
        write_atomic(path, pem, private=True)
        return self.ledger.append(
            signer,
            "officer.add",
            officer_data(officer, role).to_json(),
        )

    def officers(self) -> dict[str, OfficerData]:
        """Officers of the case by key fingerprint, from the ledger's ``officer.add`` entries.

        Read incrementally: only entries newer than the last look are parsed, so sealing
        thousands of items does not re-read the whole ledger each time.
        """
        for seq, line in self.store.record_lines_after(self._officers_seen):
            rec = parse_record(line)
            if rec.kind == "officer.add":
                added = OfficerData.from_json(rec.data)
                self._officers[added.key] = added
            self._officers_seen = seq
        return dict(self._officers)

    @property
    def received(self) -> bool:
        """A case imported from another agency's package: read-only but for custody."""
        return self.store.get_meta("received") == "1"

    def _require_writable(self) -> None:
        if self.received:
            raise PolicyError(
                "this is a received case: its evidence is read-only (only custody, export and "
                "verification entries can be added)",
                "本案为接收的案件，证据只读（只能追加流转、导出和校验记录）",
            )

    def verify(self, policy: TrustPolicy) -> VerificationReport:
        """Every check of the verifier guide §2.4 on this case, under ``policy``."""
        lines = [line for _, _, line in self.store.ledger_rows()]
        return verify_case_dir(self.store.dir, lines, policy)

    def require_member(self, *signers: Signer) -> None:
        """Every signer must be an officer of this case (``officer.add`` in its ledger):
        the one membership rule; raises ``NotAMember`` naming the first who is not."""
        members = self.officers()
        for signer in signers:
            if signer.officer.key_fp not in members:
                raise NotAMember(signer.officer.profile.badge)

    def _require_officer(self, signer: Signer) -> None:
        self._require_writable()
        self.require_member(signer)

    # -- sealing --------------------------------------------------------------------------

    def seal(
        self,
        signer: Signer,
        kind: str,
        data: dict[str, Any],
        items: Sequence[SealItem] = (),
        *,
        session: str | None = None,
        folder: str = "evidence",
    ) -> Record:
        """The one seal path: write every item durably into the blob store, then append one
        ledger entry naming them all (in one transaction; a failure before it leaves at most
        unreferenced blobs, never an entry naming missing files)."""
        self._require_writable()
        specs = [ItemSpec(self._ingest(item), item.name, item.media_type, folder) for item in items]
        return self.ledger.append(signer, kind, data, specs, session=session)

    def _ingest(self, item: SealItem) -> Digests:
        if item.stream is not None:
            return self.store.ingest_stream(item.stream)
        if item.path is not None:
            return self.store.ingest_file(item.path)
        return self.store.ingest_stream(io.BytesIO(item.data or b""))

    def seal_stream(
        self,
        signer: Signer,
        src: BinaryIO,
        *,
        name: str,
        media_type: str,
        kind: str,
        data: dict[str, Any],
        session: str | None = None,
        folder: str = "evidence",
    ) -> Record:
        """Write ``src`` durably into the blob store, then seal it in one ledger entry."""
        item = SealItem(name, media_type, stream=src)
        return self.seal(signer, kind, data, [item], session=session, folder=folder)

    def seal_file(
        self,
        signer: Signer,
        path: Path,
        *,
        kind: str,
        data: dict[str, Any],
        media_type: str | None = None,
        session: str | None = None,
        folder: str = "evidence",
        name: str | None = None,
    ) -> Record:
        self._require_writable()
        item = SealItem(name or path.name, media_type or sniff_media_type(path), path=path)
        return self.seal(signer, kind, data, [item], session=session, folder=folder)

    def import_file(self, signer: Signer, path: Path, *, session: str | None = None) -> Record:
        """Seal an external file as ``import.file``, with EXIF for images."""
        return self.import_files(signer, [path], session=session)[0]

    def import_files(
        self, signer: Signer, paths: Sequence[Path], *, session: str | None = None
    ) -> list[Record]:
        """Seal external files as one ``import.file`` entry each (EXIF for images), all in
        one ledger transaction once every file is durable in the blob store: all of them
        are sealed, in order, or none (``CaseStore.ingest_files``)."""
        self._require_officer(signer)
        self._require_writable()
        described = [self._import_data(p) for p in paths]
        digests = self.store.ingest_files(paths)
        entries = [
            ("import.file", data, [ItemSpec(d, p.name, media_type, "evidence")])
            for p, (media_type, data), d in zip(paths, described, digests, strict=True)
        ]
        return self.ledger.append_many(signer, entries, session=session)

    def _import_data(self, path: Path) -> tuple[str, dict[str, Any]]:
        media_type = sniff_media_type(path)
        exif = read_exif(path) if media_type.startswith("image/") else None
        far = False
        if exif:
            taken = exif_time_utc(exif)
            if taken is not None:
                delta = abs((self.ledger.now() - taken).total_seconds())
                far = delta > EXIF_TIME_FLAG_SECONDS
        return media_type, ImportData(path.name, str(path.resolve()), exif or None, far).to_json()

    def note(self, signer: Signer, text: str, *, session: str | None = None) -> Record:
        self._require_officer(signer)
        if not text.strip():
            raise InputError("the note is empty", "备注为空")
        return self.ledger.append(signer, "note", NoteData(text).to_json(), session=session)

    # -- sessions -------------------------------------------------------------------------

    def start_session(self, signer: Signer, data: SessionStartData | None = None) -> str:
        """Seal ``session.start``; returns the new session's id."""
        return str(self.open_session(signer, data).session)

    def open_session(self, signer: Signer, data: SessionStartData | None = None) -> Record:
        """Seal ``session.start`` under a new session id; returns the sealed entry. Without
        ``data`` (``quzheng session start``: the officers seal and import by hand, no capture
        program runs) the entry's data is empty."""
        self._require_officer(signer)
        session = str(uuid.uuid4())
        body = data.to_json() if data is not None else {}
        return self.ledger.append(signer, "session.start", body, session=session)

    def unclosed_sessions(self) -> list[str]:
        """Sessions started and not (yet) ended, in ledger order (whole ids)."""
        started: dict[str, None] = {}
        for r in self.ledger.records():
            if r.kind == "session.start" and r.session:
                started[str(r.session)] = None
            elif r.kind == "session.end" and r.session:
                started.pop(str(r.session), None)
        return list(started)

    def _session_id(self, ref: str) -> str:
        """The session ``ref`` names: its whole id, or a prefix of at least 8 characters that
        names one started session (as messages and listings print it)."""
        ref = ref.strip().rstrip("…")
        started = {
            str(r.session) for r in self.ledger.records() if r.kind == "session.start" and r.session
        }
        if ref in started:
            return ref
        found = [s for s in started if len(ref) >= 8 and s.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(
                f"{ref} names more than one session; give more of its id",
                f"{ref} 对应多个取证会话，请给出更长的会话编号",
            )
        raise InputError(f"no open session {ref}", f"没有进行中的取证会话 {ref}")

    def end_session(
        self,
        session: str,
        signers: Sequence[Signer],
        *,
        data: dict[str, Any] | None = None,
        allow_single_officer: bool = False,
    ) -> Record:
        """Close a session with the signatures of every officer present (at least two).

        A training case may allow one officer; the entry then says so.
        """
        self.require_member(*signers)
        distinct: list[Signer] = []
        for s in signers:
            if all(d.officer.key_fp != s.officer.key_fp for d in distinct):
                distinct.append(s)
        session = self._session_id(session)
        single = len(distinct) < 2
        if single and not (allow_single_officer and self.training and distinct):
            raise PolicyError(
                "closing a session needs the signatures of at least two officers "
                f"(got {len(distinct)}); two officers must be present (行政处罚法 第42条)",
                f"结束取证会话需要至少两名执法人员签名（现有 {len(distinct)} 名）",
            )
        body = dict(data or {})
        body["signers"] = [d.officer.key_fp for d in distinct]
        if single:
            body["training_single_officer"] = True
        return self.ledger.append(
            distinct[0], "session.end", body, session=session, cosigners=distinct[1:]
        )

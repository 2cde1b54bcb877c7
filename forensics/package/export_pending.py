"""An export between its package and its ledger entry, made safe against a crash.

The export entry enters the case's ledger only once the package and its seal are on disk
(``export.py``). So that a crash in between leaves neither a package the ledger does not
know of nor an entry for a file that does not exist, the export notes in the case's store,
before it writes anything, where its package and seal go, its package id, the prepared
entries and the token they name (``pending_key``); the commit of those entries forgets the
note in the same transaction.

``finish_interrupted_export`` reads such a note after a crash — only a note the case held
when this process opened it alone, so never one of an export still running elsewhere: when the package and the seal
it names are both in place, the seal is the one this export wrote (its package id) and the
package matches the seal (size, SHA-256, SM3), and the ledger still ends where the entries
were prepared, the entries are committed — the export is complete, late. Otherwise the
package and seal this export wrote (by their package id) are removed, and the ledger gets
nothing. The seal is written before the package is renamed into place, so a package at its
name always has its seal beside it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from forensics.atomic import temp_files_of
from forensics.case import Case
from forensics.errors import InputError, QuzhengError
from forensics.hashing import digest_file
from forensics.ledger import LedgerMoved, Record, parse_record
from forensics.package.checks import read_seal_json
from forensics.package.documents import Seal
from forensics.store import PENDING_META

PENDING = PENDING_META + "export:"


def pending_key(package_id: str) -> str:
    return PENDING + package_id


@dataclass(frozen=True)
class PendingExport:
    out: Path
    seal: Path
    package_id: str
    entries: tuple[Record, ...]
    # The files the entries name (the export entry's time-stamp token), kept here too: a
    # recovery before the commit moves blobs that no entry names out of the blob store.
    blobs: tuple[bytes, ...] = ()

    @classmethod
    def of(
        cls, case: Case, out: Path, seal: Path, package_id: str, entries: Sequence[Record]
    ) -> PendingExport:
        blobs = tuple(
            case.store.blob_path(item.sha256).read_bytes() for r in entries for item in r.items
        )
        return cls(out, seal, package_id, tuple(entries), blobs)

    def to_json(self) -> str:
        return json.dumps(
            {
                "out": str(self.out),
                "seal": str(self.seal),
                "package_id": self.package_id,
                "entries": [r.line() for r in self.entries],
                "blobs": [base64.b64encode(b).decode() for b in self.blobs],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> PendingExport:
        raw = json.loads(text)
        return cls(
            Path(raw["out"]),
            Path(raw["seal"]),
            str(raw["package_id"]),
            tuple(parse_record(line) for line in raw["entries"]),
            tuple(base64.b64decode(b, validate=True) for b in raw.get("blobs", [])),
        )

    def restore_blobs(self, case: Case) -> bool:
        """Put the entries' files back into the blob store; False if they are not the files
        the entries name."""
        named = {item.sha256 for r in self.entries for item in r.items}
        put = {case.store.ingest_stream(io.BytesIO(b)).sha256 for b in self.blobs}
        return put == named


def note_pending(case: Case, pending: PendingExport) -> None:
    case.store.set_meta(pending_key(pending.package_id), pending.to_json())


def forget_pending(case: Case, package_id: str) -> None:
    case.store.delete_meta(pending_key(package_id))


def _seal_of(pending: PendingExport) -> Seal | None:
    """The seal at the pending export's seal path, if it is the one this export wrote."""
    try:
        seal = Seal.parse(read_seal_json(pending.seal), pending.seal.name)
    except QuzhengError:
        return None
    body = seal.body
    if body.package_id != pending.package_id or body.file != pending.out.name:
        return None
    return seal


def _package_matches(pending: PendingExport, seal: Seal) -> bool:
    try:
        d = digest_file(pending.out)
    except (OSError, QuzhengError):
        return False
    body = seal.body
    return (d.size, d.sha256, d.sm3) == (body.size, body.sha256, body.sm3)


def finish_interrupted_export(case: Case) -> list[tuple[str, str]]:
    """Complete or undo each export a crash interrupted (see the module's text): those whose
    notes the case held when this process opened it alone (``CaseStore.left_pending``), so
    never an export another process is still making. What was done, in English and Chinese."""
    done = []
    for key in sorted(k for k in case.store.left_pending if k.startswith(PENDING)):
        text = case.store.left_pending.pop(key)
        try:
            pending = PendingExport.from_json(text)
        except (ValueError, KeyError, TypeError, binascii.Error, QuzhengError):
            case.store.delete_meta(key)  # not a note this program wrote: nothing to finish
            continue
        done.append(_finish(case, key, pending))
    return done


def _finish(case: Case, key: str, pending: PendingExport) -> tuple[str, str]:
    seal = _seal_of(pending)
    if seal is not None and _package_matches(pending, seal) and pending.restore_blobs(case):
        try:
            case.ledger.commit(pending.entries, done_meta=key)
        except (LedgerMoved, InputError):
            pass  # the case went on without it (the package carries a fork), or the note is
            # not what this program wrote: removed below
        else:
            export = pending.entries[0]
            return (
                f"the export of {pending.out}, interrupted after its package and seal were "
                f"written, is now sealed as entry {export.seq}",
                f"中断的导出（{pending.out}）的证据包与封签此前已写成，现已记入账本第 "
                f"{export.seq} 条",
            )
    written = temp_files_of(pending.out) + temp_files_of(pending.seal)  # killed mid-write
    if seal is not None:  # the seal this export wrote, and the package it seals, if any
        written += [pending.out, pending.seal]
    for path in written:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    case.store.delete_meta(key)
    return (
        f"an export to {pending.out} was interrupted before it was sealed: what it had "
        "written was removed, and the ledger records no export",
        f"导出至 {pending.out} 时中断，尚未记入账本：已删除其写成的部分，账本中没有该次导出",
    )

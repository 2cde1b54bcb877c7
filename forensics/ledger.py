"""The append-only, signed hash chain of custody events (docs/package-format.md §1).

Each record is one canonical JSON line::

    {"entry": {...}, "hash": "<sha256 of canonical entry>", "sig": {"alg", "value"}, "cosig": [...]}

The entry hash and every signature cover the same canonical bytes. There is exactly one
writer per case: appends take the store's write transaction (``BEGIN IMMEDIATE``), so seq
numbers are contiguous and strictly ordered even when the proxy, the recorder and the user
seal at the same moment, in threads or in separate processes.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forensics import safejson
from forensics.canonical import canonical_bytes, format_time, utc_now
from forensics.entries import EntryView
from forensics.errors import CaptureError, InputError
from forensics.hashing import Digests
from forensics.identity import Signer
from forensics.store import CaseStore

LEDGER_VERSION = 1

KINDS = frozenset(
    {
        "case.open", "officer.add", "env.check", "session.start", "session.end",
        "capture.screenshot", "capture.fullpage", "capture.snapshot", "capture.video",
        "capture.stream", "capture.chat", "capture.traffic", "capture.recovered", "mark", "note",
        "import.file", "derive", "timestamp", "package.export", "custody.transfer",
        "custody.receive", "verify", "custody.report", "custody.access", "case.close",
        "custody.deposit",
    }
)  # fmt: skip

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(name: str, limit: int = 96) -> str:
    """A file name that is safe inside a package on every OS (keeps CJK)."""
    name = unicodedata.normalize("NFC", name).strip()
    name = _UNSAFE.sub("_", name).lstrip(".") or "file"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + "." + ext) if dot and len(ext) < 12 else name[:limit]
    return name


# Seal points (docs/admin-guide.md §5; verified as T5-T7, docs/verifier-guide.md §2.4): every
# entry of these kinds gets an RFC 3161 token of its own; a token on entry N also vouches for
# every entry before it.
STAMPED_KINDS = frozenset(
    {
        "env.check", "session.end", "capture.screenshot", "capture.fullpage",
        "capture.snapshot", "capture.video", "capture.stream", "capture.chat", "capture.traffic",
        "capture.recovered", "import.file", "derive", "package.export",
        "custody.transfer", "custody.receive", "case.close", "custody.deposit",
    }
)  # fmt: skip

_FIXED_PATH = re.compile(r"^(custody/timestamps/[0-9]{1,9}\.tsr)$")


@dataclass(frozen=True)
class ItemSpec:
    """A sealed blob to be named by an entry: its digests, a file name and a media type.

    ``path`` fixes the item's path in the package for the few files whose place docs/package-format.md
    names exactly (time-stamp tokens); otherwise the path is ``folder/<seq>-<name>``.
    """

    digests: Digests
    name: str
    media_type: str
    folder: str = "evidence"
    path: str | None = None


@dataclass(frozen=True)
class Record(EntryView):
    """One ledger line. ``entry`` is the canonical dict that is hashed and signed; read it
    through the typed views (``time``, ``when``, ``actor_key``, ``session``, ``data``,
    ``items``, ``data_str``, ``data_int``: ``forensics/entries.py``)."""

    entry: dict[str, Any]
    hash: str
    sig: dict[str, str]
    cosig: list[dict[str, Any]]
    # The entry's canonical bytes, kept by the writer that made them (``line`` reuses them).
    message: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def seq(self) -> int:
        return int(self.entry["seq"])

    @property
    def kind(self) -> str:
        return str(self.entry["kind"])

    def line(self) -> str:
        if self.message is None:
            return canonical_bytes(
                {"entry": self.entry, "hash": self.hash, "sig": self.sig, "cosig": self.cosig}
            ).decode("utf-8")
        # The same bytes, put together from canonical parts: the keys in sorted order.
        parts = (
            b'{"cosig":', canonical_bytes(self.cosig), b',"entry":', self.message,
            b',"hash":', canonical_bytes(self.hash), b',"sig":', canonical_bytes(self.sig), b"}",
        )  # fmt: skip
        return b"".join(parts).decode("utf-8")


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def parse_record(line: str) -> Record:
    """Parse one ledger line. Raises InputError (never KeyError) on a malformed record."""
    raw = safejson.loads(line, what="ledger record")  # bounded: depth, size, values
    try:
        entry = raw["entry"]
        if not isinstance(entry, dict):
            raise TypeError("entry is not an object")
        seq = entry["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise TypeError("seq is not an integer ≥ 0")
        cosig = raw.get("cosig", [])
        if not isinstance(cosig, list):
            raise TypeError("cosig is not a list")
        rec = Record(entry, str(raw["hash"]), dict(raw["sig"]), cosig)
        _ = (rec.kind, entry["prev"], entry["case"], entry["actor"]["key"], entry["items"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = str(exc)[:200]
        raise InputError(
            f"malformed ledger record ({detail})", f"账本记录格式错误（{detail}）"
        ) from None
    return rec


class LedgerMoved(CaptureError):
    """Prepared entries no longer follow the ledger's last entry: nothing was appended."""


def _check_kind(kind: str, data: dict[str, Any]) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown ledger entry kind {kind!r}", f"未知的账本条目类型 {kind!r}")
    canonical_bytes(data)  # reject floats before taking the write lock


class Ledger:
    """Appends to one case's chain. Time is injected (``now``) so tests can pin it."""

    def __init__(
        self, store: CaseStore, case_id: str, now: Callable[[], datetime] = utc_now
    ) -> None:
        self.store = store
        self.case_id = case_id
        self.now = now

    def append(
        self,
        signer: Signer,
        kind: str,
        data: dict[str, Any],
        items: Sequence[ItemSpec] = (),
        *,
        session: str | None = None,
        cosigners: Sequence[Signer] = (),
    ) -> Record:
        _check_kind(kind, data)
        with self.store.write_transaction() as db:
            record = self._build(
                self.store.last_in(db), signer, kind, data, items, session, cosigners
            )
            self._insert(db, record)
        return record

    def append_many(
        self,
        signer: Signer,
        entries: Sequence[tuple[str, dict[str, Any], Sequence[ItemSpec]]],
        *,
        session: str | None = None,
    ) -> list[Record]:
        """``append`` for several entries (kind, data, items) in one transaction: all are
        appended, one after the other, or none (a batch import: one commit for many files)."""
        for kind, data, _ in entries:
            _check_kind(kind, data)
        out: list[Record] = []
        with self.store.write_transaction() as db:
            head = self.store.last_in(db)
            for kind, data, items in entries:
                record = self._build(head, signer, kind, data, items, session, ())
                self._insert(db, record)
                head = (record.seq, record.hash)
                out.append(record)
        return out

    def prepare(
        self,
        after: Record,
        signer: Signer,
        kind: str,
        data: dict[str, Any],
        items: Sequence[ItemSpec] = (),
        *,
        session: str | None = None,
    ) -> Record:
        """The entry that would follow ``after``, signed, but not in the ledger: ``commit``
        appends it later, unchanged, if the ledger still ends at ``after``. An export
        prepares its entry so that the package can carry it and the ledger gets it only once
        the package is on disk."""
        _check_kind(kind, data)
        return self._build((after.seq, after.hash), signer, kind, data, items, session, ())

    def commit(self, prepared: Sequence[Record], *, done_meta: str | None = None) -> None:
        """Append prepared entries (each following the one before) in one transaction, or
        none: ``LedgerMoved`` if another entry was appended since they were prepared. A seal
        point is queued for its token unless a ``timestamp`` entry among them carries it.
        ``done_meta``: a store metadata key forgotten in the same transaction."""
        if not prepared:
            return
        for before, rec in zip((None, *prepared), prepared, strict=False):
            if rec.hash != entry_hash(rec.entry) or (
                before is not None and (rec.seq, rec.entry["prev"]) != (before.seq + 1, before.hash)
            ):
                raise InputError(
                    f"prepared entry {rec.seq} is not the entry it claims to be",
                    f"预备的第 {rec.seq} 条记录与其哈希或前序不符",
                )
        stamped = {int(r.data["stamped_seq"]) for r in prepared if r.kind == "timestamp"}
        with self.store.write_transaction() as db:
            head = self.store.last_in(db)
            first = prepared[0]
            if head != (first.seq - 1, first.entry["prev"]):
                raise LedgerMoved(
                    f"the case's ledger was extended (to entry {head[0] if head else '-'}) "
                    f"while entry {first.seq} was being prepared",
                    f"准备第 {first.seq} 条记录期间，本案账本已被追加（至第 "
                    f"{head[0] if head else '-'} 条）",
                )
            for rec in prepared:
                self._insert(db, rec, stamped=rec.seq in stamped)
            if done_meta is not None:
                self.store.delete_meta_in(db, done_meta)

    def _insert(self, db: sqlite3.Connection, record: Record, *, stamped: bool = False) -> None:
        # A seal point is queued in the same transaction as its entry: no seal point can
        # miss its token, whether the TSA answers now, later, or only at export (unless a
        # token comes with it: ``commit``).
        queue = record.kind in STAMPED_KINDS and not stamped
        self.store.insert_record(
            db, record.seq, record.hash, record.line(), record.entry["items"], queue=queue
        )

    def _build(
        self,
        head: tuple[int, str] | None,
        signer: Signer,
        kind: str,
        data: dict[str, Any],
        items: Sequence[ItemSpec],
        session: str | None,
        cosigners: Sequence[Signer],
    ) -> Record:
        seq = 0 if head is None else head[0] + 1
        prev = None if head is None else head[1]
        item_rows = []
        used: set[str] = set()
        for spec in items:
            if spec.path is not None:
                if not _FIXED_PATH.match(spec.path):
                    raise InputError(f"bad item path {spec.path!r}", f"证据路径无效 {spec.path!r}")
                path = spec.path
            else:
                path = f"{spec.folder}/{seq:06d}-{safe_name(spec.name)}"
            n = 1
            while path in used:
                n += 1
                path = f"{spec.folder}/{seq:06d}-{n}-{safe_name(spec.name)}"
            used.add(path)
            item_rows.append(
                {
                    "path": path,
                    "size": spec.digests.size,
                    "sha256": spec.digests.sha256,
                    "sm3": spec.digests.sm3,
                    "media_type": spec.media_type,
                }
            )
        entry = {
            "v": LEDGER_VERSION,
            "case": self.case_id,
            "seq": seq,
            "prev": prev,
            "time": format_time(self.now()),
            "actor": signer.officer.actor(),
            "session": session,
            "kind": kind,
            "data": data,
            "items": item_rows,
        }
        message = canonical_bytes(entry, checked=True)  # ``data`` checked by _check_kind
        digest = hashlib.sha256(message).hexdigest()
        cosig = [
            {"actor": s.officer.actor(), **s.sign(message)}
            for s in cosigners
            if s.officer.key_fp != signer.officer.key_fp
        ]
        return Record(entry, digest, signer.sign(message), cosig, message)

    def records(self) -> list[Record]:
        return [parse_record(line) for _, _, line in self.store.ledger_rows()]

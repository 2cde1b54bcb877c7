"""The case directory: SQLite index and a content-addressed, write-once blob store.

Layout of one case::

    <case>/case.sqlite          meta, ledger records (the authoritative chain), item index
    <case>/blobs/ab/<sha256>    sealed files, named by SHA-256, mode 0400, never rewritten
    <case>/certs/<key>.pem      certificate chain of each officer (by key fingerprint)
    <case>/timestamps/<seq>.tsr RFC 3161 tokens
    <case>/tmp/                 files being written; emptied at the next open
    <case>/orphans/             complete blobs whose seal was interrupted (kept, not evidence)
    <case>/work/                recorders' open segments

A file becomes evidence in four durable steps: written to ``tmp/`` while hashed, fsynced,
renamed read-only into ``blobs/`` (directory fsynced), and only then named by a ledger entry
committed with ``synchronous=FULL``. A crash before the commit leaves no ledger entry, so the
item is simply absent; the next open cleans ``tmp/`` and moves unreferenced blobs aside.

Everything here is its owner's alone, whatever the umask: folders 0700, files 0600 (the
index's ``-wal`` and ``-shm`` files take the index's mode), sealed blobs 0400.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import sqlite3
import stat
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from forensics.atomic import (
    PRIVATE_DIR_MODE,
    PRIVATE_MODE,
    FileSystemSync,
    fsync_dir,
    make_private_dir,
)
from forensics.directio import DirectWriter
from forensics.errors import CaptureError, InputError, NotFoundError, os_reason
from forensics.hashing import Digests, digest_bytes, digest_stream, open_for_reading

STORE_FORMAT = 1
# Metadata keys of work in progress that must be finished or undone if its process dies.
PENDING_META = "pending."


@dataclass
class _Part:
    """A blob being ingested: its temporary file, the open descriptor, its digests."""

    tmp: Path
    fd: int
    digests: Digests


# A regular file smaller than this is read, hashed and written whole.
SMALL_BLOB = 1 << 20


def _read_small(src: BinaryIO) -> bytes | None:
    """All of ``src`` if it is a regular file under ``SMALL_BLOB`` bytes, read from its
    start; otherwise None, and ``src`` is left at its start (a pipe or a memory stream is
    not read at all)."""
    try:
        st = os.fstat(src.fileno())
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size >= SMALL_BLOB or src.tell() != 0:
        return None
    chunks: list[bytes] = []
    total = 0
    while total < SMALL_BLOB:
        chunk = src.read(SMALL_BLOB - total)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    src.seek(0)  # it grew past the bound while read: streamed after all
    return None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    path TEXT PRIMARY KEY, seq INTEGER NOT NULL, sha256 TEXT NOT NULL, sm3 TEXT NOT NULL,
    size INTEGER NOT NULL, media_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stamp_queue (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, last_error TEXT);
"""


def _db_error(path: Path, exc: sqlite3.Error) -> InputError:
    return InputError(
        f"the case index {path} is unreadable or damaged ({exc})",
        f"案件索引 {path} 无法读取或已损坏（{exc}）",
    )


class CaseStore:
    """One case directory. Thread-safe; several processes may write (SQLite locks order them)."""

    def __init__(self, case_dir: Path, *, create: bool = False, recover: bool = True) -> None:
        self.dir = case_dir
        self.db_path = case_dir / "case.sqlite"
        if create:
            if self.db_path.exists():
                raise InputError(f"a case already exists at {case_dir}", f"{case_dir} 已存在案件")
            make_private_dir(case_dir)
            for sub in ("blobs", "certs", "timestamps", "tmp", "work"):
                (case_dir / sub).mkdir(exist_ok=True, mode=PRIVATE_DIR_MODE)
            # Made owner-only before SQLite opens it: its -wal and -shm files copy its mode.
            os.close(os.open(self.db_path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
        elif not self.db_path.is_file():
            raise NotFoundError(f"no case at {case_dir}", f"{case_dir} 处没有案件")
        self._lock = threading.RLock()
        self._subdirs: set[str] = set()
        lock_fd = os.open(
            case_dir / "case.lock", os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_MODE
        )
        self._lock_file = os.fdopen(lock_fd, "a+b")  # held for life
        exclusive = self._try_exclusive()
        try:
            self._db = sqlite3.connect(
                self.db_path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=30000")
            if create:
                self._db.executescript(_SCHEMA)
                self._db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('store_format', ?)", (str(STORE_FORMAT),)
                )
            else:
                self._check_format()
        except sqlite3.Error as exc:
            self._lock_file.close()
            raise _db_error(self.db_path, exc) from None
        # Work a process left in progress (``PENDING_META`` keys), read only while this one
        # has the case to itself: whoever wrote them has stopped, and their owners may finish
        # or undo them (an export: ``forensics.package.export_pending``).
        self.left_pending: dict[str, str] = {}
        if exclusive and recover and not create:
            self._recover()
            self.left_pending = self._meta_with_prefix(PENDING_META)
        # Other processes may open the case too; recovery runs only when no one else has it.
        fcntl.flock(self._lock_file, fcntl.LOCK_SH)

    def _try_exclusive(self) -> bool:
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._lock_file, fcntl.LOCK_SH)
            return False
        return True

    def _check_format(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='store_format'").fetchone()
        if row is None:
            raise sqlite3.DatabaseError("no store_format")
        if int(row[0]) > STORE_FORMAT:
            raise InputError(
                f"case {self.dir} was written by a newer Quzheng (store format {row[0]}); upgrade",
                f"案件 {self.dir} 由更新版本的取证软件写入（格式 {row[0]}），请升级",
            )

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._lock_file.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- metadata -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            try:
                row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            except sqlite3.Error as exc:
                raise _db_error(self.db_path, exc) from None
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _meta_with_prefix(self, prefix: str) -> dict[str, str]:
        rows = self._query(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return {str(k): str(v) for k, v in rows}

    def delete_meta(self, key: str) -> None:
        self._execute("DELETE FROM meta WHERE key=?", (key,))

    @staticmethod
    def delete_meta_in(db: sqlite3.Connection, key: str) -> None:
        """Inside ``write_transaction``: forget the metadata ``key`` with the transaction."""
        db.execute("DELETE FROM meta WHERE key=?", (key,))

    # -- blobs ----------------------------------------------------------------------------

    def blob_path(self, sha256: str) -> Path:
        return self.dir / "blobs" / sha256[:2] / sha256

    def ingest_stream(self, src: BinaryIO) -> Digests:
        """Copy ``src`` into the blob store, hashed while written, durable on return."""
        return self._ingest([lambda: src], close_sources=False)[0]

    def ingest_file(self, path: Path) -> Digests:
        return self._ingest([partial(open_for_reading, path)])[0]

    def ingest_files(self, paths: Sequence[Path]) -> list[Digests]:
        """``ingest_file`` for many files at once, all durable on return, in the same order
        of steps: every file is written and hashed, all are flushed at once
        (``FileSystemSync``; where that flush cannot report a failed write, each file is
        fsynced as well, then cheap), all are renamed into place and flushed again (and each
        fan-out folder synced once) — where writing and flushing one after the other pays a
        journal commit per file and per folder. A failure leaves at most blobs no entry
        names (moved aside at the next recovery)."""
        return self._ingest([partial(open_for_reading, p) for p in paths])

    def _ingest(
        self, sources: Sequence[Callable[[], BinaryIO]], *, close_sources: bool = True
    ) -> list[Digests]:
        spooled: list[_Part] = []  # written and hashed, not yet in place
        out: list[Digests] = []
        batch = len(sources) > 1
        try:
            with FileSystemSync(self.dir) if batch else contextlib.nullcontext() as fs:
                for source in sources:
                    spooled.append(self._spool(source, close_sources))
                if fs is not None:
                    fs.flush()  # one flush for all the files
                if fs is None or not fs.reports_errors:
                    for part in spooled:
                        os.fsync(part.fd)  # durable, and a write error said, before the rename
                while spooled:
                    part = spooled[0]
                    os.close(part.fd)
                    part.fd = -1
                    self._place(part.tmp, part.digests, sync_folder=not batch)
                    spooled.pop(0)
                    out.append(part.digests)
                if fs is not None:
                    fs.flush()  # the renames
                    if not fs.reports_errors:
                        for folder in sorted({self.blob_path(d.sha256).parent for d in out}):
                            fsync_dir(folder)
        except OSError as exc:
            raise CaptureError(
                f"cannot write evidence into {self.dir}: {exc.strerror}",
                f"无法向 {self.dir} 写入证据：{os_reason(exc)[1]}",
            ) from None
        finally:
            for part in spooled:  # never placed: nothing names them
                if part.fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(part.fd)
                with contextlib.suppress(OSError):
                    part.tmp.unlink()
        return out

    def _spool(self, source: Callable[[], BinaryIO], close_source: bool) -> _Part:
        """One source written to a new temporary file and hashed; its descriptor stays open
        for the flush."""
        src = source()
        try:
            tmp = self.dir / "tmp" / f"{uuid.uuid4().hex}.part"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
            try:
                small = _read_small(src)
                if small is not None:  # one read, one write: no staging buffers to set up
                    digests = digest_bytes(small)
                    view = memoryview(small)
                    while view:
                        view = view[os.write(fd, view) :]
                else:
                    with DirectWriter(fd) as sink:
                        digests = digest_stream(src, sink)
            except BaseException:
                os.close(fd)
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
            return _Part(tmp, fd, digests)
        finally:
            if close_source:
                src.close()

    def _place(self, tmp: Path, digests: Digests, sync_folder: bool = True) -> None:
        final = self.blob_path(digests.sha256)
        if final.parent.name not in self._subdirs:
            # mkdir of an existing directory costs as much as a file create on some file
            # systems; remember which of the 256 fan-out folders exist.
            final.parent.mkdir(exist_ok=True, mode=PRIVATE_DIR_MODE)
            self._subdirs.add(final.parent.name)
        if final.exists():
            # Same content is already sealed: keep the first copy, write nothing twice.
            tmp.unlink()
            return
        os.chmod(tmp, 0o400)  # read-only, and its owner's alone
        os.rename(tmp, final)
        if sync_folder:
            fsync_dir(final.parent)

    def open_blob(self, sha256: str) -> BinaryIO:
        return open(self.blob_path(sha256), "rb")

    def iter_blob_files(self) -> Iterator[Path]:
        return iter_blob_files(self.dir)

    # -- ledger rows (the ledger module gives them meaning) -----------------------------

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time across threads and processes (``BEGIN IMMEDIATE``)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise CaptureError(
                    f"cannot write the case index: {exc}", f"无法写入案件索引：{exc}"
                ) from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise CaptureError(
                    f"cannot commit to the case index: {exc}", f"无法提交案件索引：{exc}"
                ) from None

    def ledger_rows(self) -> list[tuple[int, str, str]]:
        with self._lock:
            try:
                return [
                    (int(r[0]), str(r[1]), str(r[2]))
                    for r in self._db.execute("SELECT seq, hash, record FROM ledger ORDER BY seq")
                ]
            except sqlite3.Error as exc:
                raise _db_error(self.db_path, exc) from None

    def head(self) -> tuple[int, str] | None:
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1"
                ).fetchone()
            except sqlite3.Error as exc:
                raise _db_error(self.db_path, exc) from None
        return None if row is None else (int(row[0]), str(row[1]))

    # -- the store's questions and changes by name: no SQL outside this module -------------

    def record_line(self, seq: int) -> str | None:
        """The ledger line with ``seq``, or None."""
        rows = self._query("SELECT record FROM ledger WHERE seq=?", (seq,))
        return str(rows[0][0]) if rows else None

    def record_lines_after(self, seq: int) -> list[tuple[int, str]]:
        """(seq, line) of every entry after ``seq``, in order."""
        rows = self._query("SELECT seq, record FROM ledger WHERE seq > ? ORDER BY seq", (seq,))
        return [(int(str(s)), str(line)) for s, line in rows]

    def item_totals(self) -> tuple[int, int]:
        """How many items are sealed, and their bytes."""
        row = self._query("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM items")[0]
        return int(str(row[0])), int(str(row[1]))

    def has_item_path(self, path: str) -> bool:
        return bool(self._query("SELECT 1 FROM items WHERE path=? LIMIT 1", (path,)))

    def has_item_content(self, sha256: str) -> bool:
        """Some entry already seals a file with this SHA-256."""
        return bool(self._query("SELECT 1 FROM items WHERE sha256=? LIMIT 1", (sha256,)))

    def stamp_queue(self) -> list[tuple[int, str, int]]:
        """(seq, entry hash, tries) of every seal point waiting for a token, oldest first."""
        rows = self._query("SELECT seq, hash, tries FROM stamp_queue ORDER BY seq")
        return [(int(str(s)), str(h), int(str(t))) for s, h, t in rows]

    def stamp_queue_count(self) -> int:
        return int(str(self._query("SELECT COUNT(*) FROM stamp_queue")[0][0]))

    def unqueue(self, seq: int) -> None:
        self._execute("DELETE FROM stamp_queue WHERE seq=?", (seq,))

    def note_stamp_outage(self, from_seq: int, message: str) -> None:
        """An outage holds up every seal point still waiting from ``from_seq`` on."""
        self._execute(
            "UPDATE stamp_queue SET tries=tries+1, last_error=? WHERE seq>=?",
            (message[:2000], from_seq),
        )

    @staticmethod
    def last_in(db: sqlite3.Connection) -> tuple[int, str] | None:
        """Inside ``write_transaction``: the head (seq, hash), read under the write lock."""
        row = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    @staticmethod
    def insert_record(
        db: sqlite3.Connection,
        seq: int,
        digest: str,
        line: str,
        items: Iterable[Mapping[str, object]],
        *,
        queue: bool = False,
    ) -> None:
        """Inside ``write_transaction``: one ledger line, its items (path, sha256, sm3,
        size, media_type) and, for a seal point, its place in the stamp queue. An item path
        sealed before is refused (InputError)."""
        db.execute("INSERT INTO ledger (seq, hash, record) VALUES (?, ?, ?)", (seq, digest, line))
        rows = [(i["path"], seq, i["sha256"], i["sm3"], i["size"], i["media_type"]) for i in items]
        try:
            db.executemany(
                "INSERT INTO items (path, seq, sha256, sm3, size, media_type)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        except sqlite3.IntegrityError:
            raise InputError(
                f"an item path is already sealed: {[r[0] for r in rows]}",
                f"证据路径已被封存：{[r[0] for r in rows]}",
            ) from None
        if queue:
            db.execute("INSERT INTO stamp_queue (seq, hash) VALUES (?, ?)", (seq, digest))

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return list(self._db.execute(sql, args))
            except sqlite3.Error as exc:
                raise _db_error(self.db_path, exc) from None

    def _execute(self, sql: str, args: tuple[object, ...] = ()) -> None:
        with self._lock:
            try:
                self._db.execute(sql, args)
            except sqlite3.Error as exc:
                raise _db_error(self.db_path, exc) from None

    # -- recovery -------------------------------------------------------------------------

    def _recover(self) -> None:
        """Clean up after a crash: partial temp files go, unsealed blobs move aside."""
        tmpdir = self.dir / "tmp"
        for p in tmpdir.iterdir() if tmpdir.is_dir() else []:
            with contextlib.suppress(OSError):
                p.unlink()
        # The ledger, not the item index, says what is sealed. If any record is unreadable,
        # move nothing: the verifier will report it, and no sealed file may be moved.
        referenced: set[str] = set()
        try:
            for (text,) in self._db.execute("SELECT record FROM ledger"):
                for item in json.loads(text)["entry"]["items"]:
                    referenced.add(str(item["sha256"]))
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            return
        orphan_dir = self.dir / "orphans"
        for blob in self.iter_blob_files():
            if blob.name not in referenced:
                orphan_dir.mkdir(exist_ok=True, mode=PRIVATE_DIR_MODE)
                shutil.move(str(blob), orphan_dir / blob.name)


def iter_blob_files(case_dir: Path) -> Iterator[Path]:
    """Every file in a case directory's blob store, in a stable order."""
    base = case_dir / "blobs"
    for sub in sorted(base.iterdir()) if base.is_dir() else []:
        if sub.is_dir():
            yield from sorted(sub.iterdir())
